/**
 * Lua helpers shared by the scripts. Each script module pastes the ones it
 * needs after its header, so every script stays one self-contained source
 * whose SHA is pinned. Changing a helper changes those SHAs (a test says which).
 *
 * A product is a table of its keys (k_product, k_exp, k_hold, k_addr,
 * k_bought, k_pending: KEYS in that order, see product_keys) and, once read, its
 * counters; the helpers that change holds keep its `reserved` in step with
 * the hash, so a script decides on what it has read.
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

/** The header lines of a product's six keys, from KEYS[first] on. */
export function productKeysHeader(first = 1): string {
  const lines = [
    ['product hash', '{P}:p:<id>', ''],
    ['product hold expiries', '{P}:p:<id>:exp', 'zset user -> expiry ms'],
    ['product holds', '{P}:p:<id>:hold', 'hash user -> "qty|first reserve ms|expiry ms|address"'],
    ['units held per address', '{P}:p:<id>:addr', 'hash address -> units'],
    ['units bought per user', '{P}:p:<id>:bought', 'hash user -> units bought or pending'],
    ['pending checkouts', '{P}:p:<id>:pending', 'hash order id -> "user|qty|amount|created ms|key hash"'],
  ]
  return lines
    .map(([what, key, shape], i) => `KEYS[${first + i}]`.padEnd(9) + ` ${what!.padEnd(24)} ${key!.padEnd(19)} ${shape}`.trimEnd())
    .join('\n')
}

/**
 * product_keys(i): the product whose six keys start at KEYS[i];
 * parse_hold(v): qty, start, address, expiry of a hold value
 * ("qty|first reserve ms|expiry ms|address"; address '' when the hold counts
 * against none; the expiry is also the hold's score in k_exp, kept here so a
 * lost k_exp can be rebuilt);
 * free_address(p, addr, qty): the address no longer holds those units.
 */
export const PRODUCT = `
local function product_keys(i)
  return { k_product = KEYS[i], k_exp = KEYS[i + 1], k_hold = KEYS[i + 2], k_addr = KEYS[i + 3],
    k_bought = KEYS[i + 4], k_pending = KEYS[i + 5] }
end
local function parse_hold(v)
  if not v then return 0, nil, '', nil end
  local qty, start, expires, addr = string.match(v, '^(%d+)|(%d+)|(%d+)|(.*)$')
  return tonumber(qty) or 0, tonumber(start), addr or '', tonumber(expires)
end
local function free_address(p, addr, qty)
  if addr == '' or qty <= 0 then return end
  if redis.call('HINCRBY', p.k_addr, addr, -qty) <= 0 then redis.call('HDEL', p.k_addr, addr) end
end
`

/**
 * purge_expired(): drops up to `limit` (math.huge: all) of one product's
 * holds whose expiry <= now, oldest first, and gives their units back
 * (reserved -= qty, and each address's count). Returns purged holds, units
 * given back, and whether expired holds may be left. Callers check that the
 * product hash exists first. Needs CALL_CHUNKED (CHUNK) and PRODUCT.
 */
export const PURGE_EXPIRED = `
local function purge_expired(p, now, limit)
  local purged, units = 0, 0
  local more = true
  local by_addr = {}
  while more and purged < limit do
    local want = math.min(CHUNK, limit - purged)
    local users = redis.call('ZRANGEBYSCORE', p.k_exp, '-inf', now, 'LIMIT', 0, want)
    local n = #users
    if n > 0 then
      local holds = redis.call('HMGET', p.k_hold, unpack(users))
      for i = 1, n do
        local qty, _, addr = parse_hold(holds[i])
        units = units + qty
        if addr ~= '' then by_addr[addr] = (by_addr[addr] or 0) + qty end
      end
      redis.call('HDEL', p.k_hold, unpack(users))
      -- the n lowest scores are exactly the expired holds just read
      redis.call('ZREMRANGEBYRANK', p.k_exp, 0, n - 1)
      purged = purged + n
    end
    more = n == want
  end
  if units > 0 then redis.call('HINCRBY', p.k_product, 'reserved', -units) end
  for addr, qty in pairs(by_addr) do free_address(p, addr, qty) end
  return purged, units, more
end
`

/**
 * read_product(p): reads an opened product's counters into p (p.room: its
 * waiting room's admits per second, nil without one; p.turn_ms: how long an
 * admitted shopper's turn lasts); false when it is not loaded.
 * open_product(p, now): then purges one batch (PURGE_BATCH) of
 * its expired holds, so a call pays for a bounded purge only; p.more says
 * expired holds may be left, and FIND_HOLD and CHECK_ADD then look closer.
 * Needs PURGE_EXPIRED.
 */
export const OPEN_PRODUCT = `
local PURGE_BATCH = 200
local function read_product(p)
  local f = redis.call('HMGET', p.k_product, 'total', 'sold', 'reserved',
    'max_per_user', 'sale_starts_at', 'sale_ends_at', 'price', 'wr_rate', 'wr_ttl')
  if not f[1] then return false end
  p.total = tonumber(f[1]) or 0
  p.sold = tonumber(f[2]) or 0
  p.reserved = tonumber(f[3]) or 0
  p.max_per_user = tonumber(f[4])
  p.starts = tonumber(f[5])
  p.ends = tonumber(f[6])
  p.price = tonumber(f[7])
  p.room = tonumber(f[8])
  p.turn_ms = tonumber(f[9])
  return true
end
local function open_product(p, now)
  local _, units, more = purge_expired(p, now, PURGE_BATCH)
  p.reserved = p.reserved - units
  p.more = more
end
`

/**
 * guard(): the write limits, checked before the script changes anything.
 * ARGV[g..g+3] = address max, address window ms, customer max, customer
 * window ms ('' = no limits: a trusted caller); k_rate_a and k_rate_c are the
 * two sliding-window keys. Returns a refusal reply, or nil and the rate head
 * {scope, remaining, reset ms} of the tighter window, which every guarded
 * reply starts with (NO_RATE when unguarded).
 * A window is a hash {w = window number, c = count in it, p = count in the
 * one before}; the count is p weighted by what is left of the window, plus c
 * (@upstash/ratelimit's sliding window, in one key).
 */
export const GUARD = `
local NO_RATE = {'-', -1, 0}
local function rate_take(key, max, window, now)
  local w = math.floor(now / window)
  local f = redis.call('HMGET', key, 'w', 'c', 'p')
  local seen, count, before = tonumber(f[1]), tonumber(f[2]) or 0, tonumber(f[3]) or 0
  local fresh = seen ~= w
  if fresh then
    if seen == w - 1 then before = count else before = 0 end
    count = 0
  end
  local used = math.floor(before * (1 - (now % window) / window)) + count
  local reset = (w + 1) * window
  if used >= max then return false, 0, reset end
  redis.call('HSET', key, 'w', w, 'c', count + 1, 'p', before)
  if fresh then redis.call('PEXPIREAT', key, reset + window) end
  return true, max - used - 1, reset
end
local function guard(k_rate_a, k_rate_c, g, now)
  local a_max, a_win = tonumber(ARGV[g]), tonumber(ARGV[g + 1])
  local c_max, c_win = tonumber(ARGV[g + 2]), tonumber(ARGV[g + 3])
  if not a_max then return nil, NO_RATE end
  local ok, left, reset = rate_take(k_rate_a, a_max, a_win, now)
  if not ok then return {'ip', 0, reset, 'RATE_LIMITED'} end
  local ok_c, left_c, reset_c = rate_take(k_rate_c, c_max, c_win, now)
  if not ok_c then return {'user', 0, reset_c, 'RATE_LIMITED'} end
  if left_c < left then return nil, {'user', left_c, reset_c} end
  return nil, {'ip', left, reset}
end
local function with_rate(rate, reply)
  return {rate[1], rate[2], rate[3], unpack(reply)}
end
`

/** drop_hold(): removes a user's hold of `qty` units held from `addr`; they go back on sale. */
export const DROP_HOLD = `
local function drop_hold(p, user, qty, addr)
  redis.call('HDEL', p.k_hold, user)
  redis.call('ZREM', p.k_exp, user)
  redis.call('HINCRBY', p.k_product, 'reserved', -qty)
  free_address(p, addr, qty)
  p.reserved = p.reserved - qty
end
`

/**
 * find_hold(): the user's unexpired hold of an opened product as qty, start
 * (ms of its first reserve), address, or nil. When expired holds may be left
 * (p.more) a hold past its expiry is dropped here. Needs DROP_HOLD.
 */
export const FIND_HOLD = `
local function find_hold(p, user, now)
  local v = redis.call('HGET', p.k_hold, user)
  if not v then return nil end
  local qty, start, addr = parse_hold(v)
  if p.more and (tonumber(redis.call('ZSCORE', p.k_exp, user)) or 0) <= now then
    drop_hold(p, user, qty, addr)
    return nil
  end
  return qty, start, addr
end
`

/**
 * bought_of(): units the user bought of the product or has pending, counted
 * only for products with a max_per_user (the purchase limit).
 * bought_lost(): the product has sold units but no bought counts — its key
 * was lost: the caller answers NOT_LOADED, and hydration reloads them.
 */
export const BOUGHT = `
local function bought_of(p, user)
  if not p.max_per_user then return 0 end
  return tonumber(redis.call('HGET', p.k_bought, user)) or 0
end
local function bought_lost(p)
  return p.max_per_user ~= nil and p.sold > 0 and redis.call('EXISTS', p.k_bought) == 0
end
`

/**
 * check_add(): may `add` more units be held by someone already holding
 * `held` (and having bought `bought`), the hold counting against client
 * address `addr` ('' = none) with at most `max_addr` units (0 = no limit),
 * `addr_extra` of them added earlier in the same call, `admitted` saying
 * whether the request came with a valid admission from the product's
 * waiting room (the edge verified it)?
 * nil when yes, else the refusal as a reply table (without item index).
 * Order: sale window, waiting room, purchase limit, address limit, stock.
 * Short of stock, it purges further first: a lapsed unit is never refused.
 * Needs PURGE_EXPIRED.
 */
export const CHECK_ADD = `
local function check_add(p, held, bought, add, addr, max_addr, now, addr_extra, admitted)
  if (p.starts and now < p.starts) or (p.ends and now >= p.ends) then
    return {'SALE_NOT_ACTIVE'}
  end
  if p.room and not admitted then return {'ADMISSION_REQUIRED'} end
  if p.max_per_user and held + bought + add > p.max_per_user then
    return {'LIMIT_EXCEEDED', p.max_per_user, held, bought}
  end
  if max_addr > 0 and addr ~= '' then
    local at_addr = tonumber(redis.call('HGET', p.k_addr, addr)) or 0
    at_addr = at_addr + (addr_extra or 0)
    if at_addr + add > max_addr then return {'ADDRESS_LIMIT_EXCEEDED', max_addr, at_addr} end
  end
  while p.more and add > p.total - p.sold - p.reserved do
    local _, units, more = purge_expired(p, now, CHUNK)
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
 * starts now and counts against `addr`; an existing one keeps its start and
 * address. Returns the hold's quantity and expiry.
 */
export const ADD_HOLD = `
local function add_hold(p, user, held, start, addr, add, now, hold_ms, max_ms)
  start = start or now
  local total = held + add
  local expires = math.min(now + hold_ms, start + max_ms)
  redis.call('HINCRBY', p.k_product, 'reserved', add)
  redis.call('HSET', p.k_hold, user, table.concat({total, start, expires, addr}, '|'))
  redis.call('ZADD', p.k_exp, expires, user)
  if addr ~= '' then redis.call('HINCRBY', p.k_addr, addr, add) end
  return total, expires
end
`

/**
 * index_holds(): writes holds into the user's index, `entries` being flat
 * (product id, qty, expiry, may buy more ('' = no limit)) quadruples, and
 * keeps the index alive until the user's latest hold expires (so it goes by
 * itself once all have lapsed).
 */
export const INDEX_HOLDS = `
local function index_holds(k_index, entries, now)
  local fields, latest = {}, 0
  for i = 1, #entries, 4 do
    fields[#fields + 1] = entries[i]
    fields[#fields + 1] = entries[i + 1] .. '|' .. entries[i + 2] .. '|' .. entries[i + 3]
    latest = math.max(latest, entries[i + 2])
  end
  redis.call('HSET', k_index, unpack(fields))
  local ttl = redis.call('PTTL', k_index)
  if ttl < 0 or now + ttl < latest then redis.call('PEXPIREAT', k_index, latest) end
end
`

/** may_buy_more(): units the user may still add after holding `held` ('' without a limit). */
export const MAY_BUY_MORE = `
local function may_buy_more(p, held, bought)
  if not p.max_per_user then return '' end
  return math.max(p.max_per_user - held - bought, 0)
end
`

/**
 * The waiting room's line (docs/architecture.md, "Waiting room"): places are
 * numbered 1, 2, … in order of arrival, and admission is computed from Redis
 * time at each call, never scheduled: during a stretch that began at
 * `clock` with `head` places admitted, place seq is admitted at clock +
 * (seq - head) / rate seconds. A stretch ends when the line catches up with
 * its last arrival (the next arrival starts a new one: no admissions are
 * banked while nobody waits), when the product has nothing available or its
 * sale is over (the line pauses, clock nil) and when the rate changes.
 * `head_at` is when the last place admitted before the stretch was
 * admitted: places before the stretch count as admitted then, which is never
 * earlier than they were (their turns never shorten).
 *
 * open_line(k_line): the line's own fields ('#epoch' nil: no line yet).
 * admitted(line, rate, now): how many places are admitted at `now`.
 * admitted_at(line, rate, seq): when admitted place `seq` was admitted, ms.
 * rebase_line(k_line, line, rate, now, running): starts a new stretch at
 * `now` (running) or pauses the line, keeping everything admitted so far.
 * keep_line(k_line, k_places, line, rate, turn_ms): both keys live until
 * the last place's turn would be over, plus LINE_LINGER_MS (a line paused for
 * longer is let go, and its tickets answer 'expired').
 */
export const LINE = `
local LINE_LINGER_MS = 86400000
local function open_line(k_line)
  local f = redis.call('HMGET', k_line, '#epoch', '#joined', '#head', '#clock', '#head_at')
  return { epoch = tonumber(f[1]), joined = tonumber(f[2]) or 0, head = tonumber(f[3]) or 0,
    clock = tonumber(f[4]), head_at = tonumber(f[5]) }
end
local function admitted(line, rate, now)
  if not line.clock or not rate then return line.head end
  return math.min(line.joined, line.head + math.floor((now - line.clock) * rate / 1000))
end
local function admitted_at(line, rate, seq)
  if seq <= line.head then return line.head_at or 0 end
  return line.clock + math.ceil((seq - line.head) * 1000 / rate)
end
local function rebase_line(k_line, line, rate, now, running)
  local f = admitted(line, rate, now)
  if f > line.head then line.head_at = admitted_at(line, rate, f) end
  line.head = f
  if running then line.clock = now else line.clock = nil end
  redis.call('HSET', k_line, '#head', line.head, '#head_at', line.head_at or '', '#clock', line.clock or '')
end
local function keep_line(k_line, k_places, line, rate, turn_ms)
  if not line.clock or not rate then return end
  local until_ms = line.clock + math.ceil((line.joined - line.head) * 1000 / rate) + (turn_ms or 0) + LINE_LINGER_MS
  redis.call('PEXPIREAT', k_line, until_ms)
  redis.call('PEXPIREAT', k_places, until_ms)
end
`

/**
 * line_open(p, now): may the line of an opened product move, i.e. is its
 * sale on and anything available? Purges lapsed holds further first when it
 * takes that. sync_line(): pauses a running line when it may not move, and
 * resumes a paused one when it may again (a new stretch from now).
 * Needs PURGE_EXPIRED and LINE.
 */
export const SYNC_LINE = `
local function line_open(p, now)
  if (p.starts and now < p.starts) or (p.ends and now >= p.ends) then return false end
  while p.more and p.total - p.sold - p.reserved <= 0 do
    local _, units, more = purge_expired(p, now, CHUNK)
    p.reserved = p.reserved - units
    p.more = more
  end
  return p.total - p.sold - p.reserved > 0
end
local function sync_line(k_line, k_places, line, rate, now, open, turn_ms)
  if not line.epoch then return end
  if open and not line.clock then
    rebase_line(k_line, line, rate, now, true)
    keep_line(k_line, k_places, line, rate, turn_ms)
  elseif not open and line.clock then
    rebase_line(k_line, line, rate, now, false)
  end
end
`
