/**
 * Lua helpers shared by the scripts. Each script module pastes the ones it
 * needs after its header, so every script stays one self-contained source
 * whose SHA is pinned. Changing a helper changes those SHAs (a test says which).
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
 * purge_expired(): drops every hold of one product whose expiry <= now and
 * gives its units back (reserved -= qty), CHUNK holds at a time until none is
 * left. Callers check that the product hash exists first. Needs CALL_CHUNKED.
 */
export const PURGE_EXPIRED = `
local function purge_expired(k_product, k_exp, k_qty, k_start, now)
  local purged = 0
  while true do
    local users = redis.call('ZRANGEBYSCORE', k_exp, '-inf', now, 'LIMIT', 0, CHUNK)
    local n = #users
    if n == 0 then return purged end
    local qtys = redis.call('HMGET', k_qty, unpack(users))
    local units = 0
    for i = 1, n do units = units + (tonumber(qtys[i]) or 0) end
    redis.call('HDEL', k_qty, unpack(users))
    redis.call('HDEL', k_start, unpack(users))
    redis.call('ZREM', k_exp, unpack(users))
    if units > 0 then redis.call('HINCRBY', k_product, 'reserved', -units) end
    purged = purged + n
  end
end
`

/** load_product(): the product hash as a table, or nil when it is not loaded. */
export const LOAD_PRODUCT = `
local function load_product(k_product)
  local f = redis.call('HMGET', k_product, 'total', 'sold', 'reserved',
    'max_per_user', 'sale_starts_at', 'sale_ends_at')
  if not f[1] then return nil end
  return {
    total = tonumber(f[1]) or 0,
    sold = tonumber(f[2]) or 0,
    reserved = tonumber(f[3]) or 0,
    max_per_user = tonumber(f[4]),
    starts = tonumber(f[5]),
    ends = tonumber(f[6]),
  }
end
`

/**
 * check_add(): may `add` more units be held by someone already holding `held`?
 * nil when yes, else the refusal as a reply table (without item index).
 * Order: sale window, then max_per_user (on held + add), then stock.
 */
export const CHECK_ADD = `
local function check_add(p, held, add, now)
  if (p.starts and now < p.starts) or (p.ends and now >= p.ends) then
    return {'SALE_NOT_ACTIVE'}
  end
  if p.max_per_user and held + add > p.max_per_user then
    return {'LIMIT_EXCEEDED', p.max_per_user, held}
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
 * clock: expiry = min(now + hold_ms, first reserve + max_ms). A new hold's
 * first reserve is now. Returns the new held total and expiry.
 */
export const ADD_HOLD = `
local function add_hold(k_product, k_exp, k_qty, k_start, user, held, add, now, hold_ms, max_ms)
  local start = now
  if held > 0 then start = tonumber(redis.call('HGET', k_start, user)) or now end
  local total = held + add
  local expires = math.min(now + hold_ms, start + max_ms)
  redis.call('HINCRBY', k_product, 'reserved', add)
  redis.call('HSET', k_qty, user, total)
  redis.call('HSET', k_start, user, start)
  redis.call('ZADD', k_exp, expires, user)
  return total, expires
end
`

/**
 * expire_index(): the user's two index keys live until their latest hold
 * expires (a key whose holds all expired goes at once), so entries whose
 * holds were purged by another user's script never pile up.
 */
export const EXPIRE_INDEX = `
local function expire_index(k_index, k_index_qty)
  local last = redis.call('ZRANGE', k_index, -1, -1, 'WITHSCORES')
  if last[2] then
    redis.call('PEXPIREAT', k_index, last[2])
    redis.call('PEXPIREAT', k_index_qty, last[2])
  else
    redis.call('DEL', k_index_qty)
  end
end
`
