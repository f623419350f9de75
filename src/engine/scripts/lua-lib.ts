/**
 * Lua helpers shared by the scripts. Each script module pastes the ones it
 * needs after its header, so every script stays one self-contained source
 * whose SHA is pinned. Changing a helper changes those SHAs (a test says which).
 *
 * A product opened with OPEN_PRODUCT is a table of its counters and its keys
 * (k_product, k_exp, k_hold); the helpers that change holds keep its
 * `reserved` in step with the hash, so a script decides on what it has read.
 */

/** now_ms(): the Redis server's clock in ms; the client's clock is never used. */
export const NOW_MS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`

/** CHUNK and call_chunked(): variadic commands in chunks, below Lua's unpack limit. */
export const CALL_CHUNKED = `
local CHUNK = 500
local function call_chunked(cmd, key, list)
  for i = 1, #list, CHUNK do
    redis.call(cmd, key, unpack(list, i, math.min(i + CHUNK - 1, #list)))
  end
end
`

/**
 * purge_expired(): drops up to `limit` (math.huge: all) of one product's
 * holds whose expiry <= now, oldest first, and gives their units back
 * (reserved -= qty). Returns purged holds, units given back, and whether
 * expired holds may be left. Callers check that the product hash exists
 * first. Needs CALL_CHUNKED (CHUNK).
 */
export const PURGE_EXPIRED = `
local function purge_expired(k_product, k_exp, k_hold, now, limit)
  local purged, units = 0, 0
  local more = true
  while more and purged < limit do
    local want = math.min(CHUNK, limit - purged)
    local users = redis.call('ZRANGEBYSCORE', k_exp, '-inf', now, 'LIMIT', 0, want)
    local n = #users
    if n > 0 then
      local holds = redis.call('HMGET', k_hold, unpack(users))
      for i = 1, n do units = units + (tonumber(string.match(holds[i] or '', '^%d+')) or 0) end
      redis.call('HDEL', k_hold, unpack(users))
      -- the n lowest scores are exactly the expired holds just read
      redis.call('ZREMRANGEBYRANK', k_exp, 0, n - 1)
      purged = purged + n
    end
    more = n == want
  end
  if units > 0 then redis.call('HINCRBY', k_product, 'reserved', -units) end
  return purged, units, more
end
`

/**
 * open_product(): the product's counters and keys, or nil when it is not
 * loaded, after purging one batch (PURGE_BATCH) of its expired holds. A call
 * pays for a bounded purge only; p.more says expired holds may be left, and
 * FIND_HOLD and CHECK_ADD then look closer. Needs PURGE_EXPIRED.
 */
export const OPEN_PRODUCT = `
local PURGE_BATCH = 200
local function open_product(k_product, k_exp, k_hold, now)
  local f = redis.call('HMGET', k_product, 'total', 'sold', 'reserved',
    'max_per_user', 'sale_starts_at', 'sale_ends_at', 'price')
  if not f[1] then return nil end
  local p = {
    k_product = k_product, k_exp = k_exp, k_hold = k_hold,
    total = tonumber(f[1]) or 0,
    sold = tonumber(f[2]) or 0,
    reserved = tonumber(f[3]) or 0,
    max_per_user = tonumber(f[4]),
    starts = tonumber(f[5]),
    ends = tonumber(f[6]),
    price = tonumber(f[7]),
  }
  local _, units, more = purge_expired(k_product, k_exp, k_hold, now, PURGE_BATCH)
  p.reserved = p.reserved - units
  p.more = more
  return p
end
`

/** drop_hold(): removes a user's hold of `qty` units; they go back on sale. */
export const DROP_HOLD = `
local function drop_hold(p, user, qty)
  redis.call('HDEL', p.k_hold, user)
  redis.call('ZREM', p.k_exp, user)
  redis.call('HINCRBY', p.k_product, 'reserved', -qty)
  p.reserved = p.reserved - qty
end
`

/**
 * find_hold(): the user's unexpired hold of an opened product as qty, start
 * (ms of its first reserve), or nil. When expired holds may be left (p.more)
 * a hold past its expiry is dropped here. Needs DROP_HOLD.
 */
export const FIND_HOLD = `
local function find_hold(p, user, now)
  local v = redis.call('HGET', p.k_hold, user)
  if not v then return nil end
  local qty, start = string.match(v, '^(%d+)|(%d+)$')
  qty, start = tonumber(qty), tonumber(start)
  if p.more and (tonumber(redis.call('ZSCORE', p.k_exp, user)) or 0) <= now then
    drop_hold(p, user, qty)
    return nil
  end
  return qty, start
end
`

/**
 * check_add(): may `add` more units be held by someone already holding `held`?
 * nil when yes, else the refusal as a reply table (without item index).
 * Order: sale window, then max_per_user (on held + add), then stock. Short of
 * stock, it purges further first: a lapsed unit is never refused.
 * Needs PURGE_EXPIRED.
 */
export const CHECK_ADD = `
local function check_add(p, held, add, now)
  if (p.starts and now < p.starts) or (p.ends and now >= p.ends) then
    return {'SALE_NOT_ACTIVE'}
  end
  if p.max_per_user and held + add > p.max_per_user then
    return {'LIMIT_EXCEEDED', p.max_per_user, held}
  end
  while p.more and add > p.total - p.sold - p.reserved do
    local _, units, more = purge_expired(p.k_product, p.k_exp, p.k_hold, now, CHUNK)
    p.reserved = p.reserved - units
    p.more = more
  end
  local available = p.total - p.sold - p.reserved
  if add > available then
    return {'INSUFFICIENT_STOCK', math.max(available, 0)}
  end
  return nil
end
`

/**
 * add_hold(): adds `add` units to a user's (checked) hold and restarts its
 * clock: expiry = min(now + hold_ms, first reserve + max_ms). A new hold
 * (start nil) starts now. Returns the new held total and expiry.
 */
export const ADD_HOLD = `
local function add_hold(p, user, held, start, add, now, hold_ms, max_ms)
  start = start or now
  local total = held + add
  local expires = math.min(now + hold_ms, start + max_ms)
  redis.call('HINCRBY', p.k_product, 'reserved', add)
  redis.call('HSET', p.k_hold, user, total .. '|' .. start)
  redis.call('ZADD', p.k_exp, expires, user)
  return total, expires
end
`

/**
 * index_holds(): writes holds into the user's index, `entries` being flat
 * (product id, qty, expiry) triples, and keeps the index alive until the
 * user's latest hold expires (so it goes by itself once all have lapsed).
 */
export const INDEX_HOLDS = `
local function index_holds(k_index, entries, now)
  local fields, latest = {}, 0
  for i = 1, #entries, 3 do
    fields[#fields + 1] = entries[i]
    fields[#fields + 1] = entries[i + 1] .. '|' .. entries[i + 2]
    latest = math.max(latest, entries[i + 2])
  end
  redis.call('HSET', k_index, unpack(fields))
  local ttl = redis.call('PTTL', k_index)
  if ttl < 0 or now + ttl < latest then redis.call('PEXPIREAT', k_index, latest) end
end
`
