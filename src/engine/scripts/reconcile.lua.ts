import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PRODUCT, productKeysHeader, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ reconcile: the reconciler's look at one product. 'report' sweeps its
expired holds, heals what a lost key broke (a hold without its expiry or the
other way round, counters that no structure backs) and derives 'pending' from
the pending checkouts, then reports; 'repair', given Postgres's numbers, sets
Redis's sold and total to what they must be — sold = Postgres's sold + the
units of pending checkouts Postgres does not have yet — unless a checkout
ended or a stock edit ran since the report (compare-and-set on 'settled').

${productKeysHeader()}
KEYS[7]   pending queue            {P}:pending:at      zset "product|order id|key hash" -> created ms or claim

ARGV[1]  'report' or 'repair'
ARGV[2]  product id (of the queue members)
ARGV[3]  repair: the 'settled' counter of the report
ARGV[4]  repair: sold in Postgres
ARGV[5]  repair: total stock in Postgres
ARGV[6]  repair: Postgres's stock_version of that total
then, for a repair, one per pending checkout Postgres has, i = 1..n:
ARGV[i+6] order id

Returns
  {'REPORT', settled, total, sold, reserved, pending, purged, healed, bought_missing, order_id_1, qty_1, ...}
      healed = structures mended; bought_missing = 1 when a product with a
      purchase limit has sold units but no bought counts (reload them);
      then its pending checkouts, as pairs
  {'REPAIRED'}
  {'RACED'}        a checkout ended, a stock edit ran, or Postgres's numbers do not fit the holds: next run
  {'NOT_LOADED'}
Its cost is constant plus the product's pending checkouts, except when a lost
key is found: then its holds are read once to rebuild what is missing.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}
local p = product_keys(1)
local k_queue = KEYS[7]
local mode, product_id = ARGV[1], ARGV[2]
if redis.call('EXISTS', p.k_product) == 0 then return {'NOT_LOADED'} end
local now = now_ms()

-- The pending checkouts: their units, and the queue members that find them again.
local function pending_entries()
  local fields = redis.call('HGETALL', p.k_pending)
  local list = {}
  for i = 1, #fields, 2 do
    local _, qty, _, created, key_hash = string.match(fields[i + 1], '^([^|]*)|(%d+)|([^|]*)|(%d+)|(.*)$')
    list[#list + 1] = { id = fields[i], qty = tonumber(qty) or 0, created = tonumber(created) or now, key_hash = key_hash or '' }
  end
  return list
end

if mode == 'report' then
  local healed = 0
  local f = redis.call('HMGET', p.k_product, 'reserved', 'pending', 'max_per_user', 'sold')
  -- Holds and their expiries are written together; one without the other is a lost key.
  local holds, expiries = redis.call('HLEN', p.k_hold), redis.call('ZCARD', p.k_exp)
  if holds ~= expiries or (holds == 0 and (tonumber(f[1]) or 0) ~= 0) then
    local all = redis.call('HGETALL', p.k_hold)
    local reserved, by_addr, seen = 0, {}, {}
    for i = 1, #all, 2 do
      local qty, _, addr, expires = parse_hold(all[i + 1])
      seen[all[i]] = true
      reserved = reserved + qty
      if addr ~= '' then by_addr[addr] = (by_addr[addr] or 0) + qty end
      if expires then redis.call('ZADD', p.k_exp, 'NX', expires, all[i]) end
    end
    local stale = {}
    for _, user in ipairs(redis.call('ZRANGE', p.k_exp, 0, -1)) do
      if not seen[user] then stale[#stale + 1] = user end
    end
    if #stale > 0 then call_chunked('ZREM', p.k_exp, stale) end
    redis.call('DEL', p.k_addr)
    for addr, qty in pairs(by_addr) do redis.call('HSET', p.k_addr, addr, qty) end
    redis.call('HSET', p.k_product, 'reserved', reserved)
    healed = healed + 1
  end
  local purged = purge_expired(p, now, math.huge)

  local entries, pending, ids = pending_entries(), 0, {}
  for _, e in ipairs(entries) do
    pending = pending + e.qty
    ids[#ids + 1] = e.id
    ids[#ids + 1] = e.qty
    local added = redis.call('ZADD', k_queue, 'NX', e.created, table.concat({product_id, e.id, e.key_hash}, '|'))
    healed = healed + added
  end
  if pending ~= (tonumber(f[2]) or 0) then
    redis.call('HSET', p.k_product, 'pending', pending)
    healed = healed + 1
  end
  local bought_missing = (f[3] and f[3] ~= '' and (tonumber(f[4]) or 0) > 0 and redis.call('EXISTS', p.k_bought) == 0) and 1 or 0

  local g = redis.call('HMGET', p.k_product, 'settled', 'total', 'sold', 'reserved')
  local reply = {'REPORT', tonumber(g[1]) or 0, tonumber(g[2]) or 0, tonumber(g[3]) or 0, tonumber(g[4]) or 0,
    pending, purged, healed, bought_missing}
  for _, id in ipairs(ids) do reply[#reply + 1] = id end
  return reply
end

local g = redis.call('HMGET', p.k_product, 'settled', 'edit', 'edit_until', 'reserved', 'total', 'total_version')
if tostring(tonumber(g[1]) or 0) ~= ARGV[3] then return {'RACED'} end
if g[2] and (tonumber(g[3]) or 0) > now then return {'RACED'} end
local recorded = {}
for i = 7, #ARGV do recorded[ARGV[i]] = true end
local sold = tonumber(ARGV[4])
for _, e in ipairs(pending_entries()) do
  if not recorded[e.id] then sold = sold + e.qty end
end
local total, version = tonumber(g[5]) or 0, tonumber(ARGV[6])
local newer = version >= (tonumber(g[6]) or 0)
if newer then total = tonumber(ARGV[5]) end
-- Never below what is held: the repair would break sold + reserved <= total.
if sold + (tonumber(g[4]) or 0) > total then return {'RACED'} end
redis.call('HSET', p.k_product, 'sold', sold, 'total', total)
if newer then redis.call('HSET', p.k_product, 'total_version', version) end
redis.call('HINCRBY', p.k_product, 'settled', 1)
return {'REPAIRED'}
`

export const reconcileScript: LuaScript = {
  name: 'reconcile',
  source,
  sha: '3314e992ea8a69dd95246783d39c8c2dd7759d99',
}
