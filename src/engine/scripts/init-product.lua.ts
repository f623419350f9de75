import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PRODUCT } from './lua-lib'

const source = `--[[ init-product: load a product's counters if Redis does not have them
(init-if-absent: a live product is never overwritten), with the units each
user has bought (the purchase limit) as Postgres's orders count them.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms|address"
KEYS[4]  units held per address   {P}:p:<id>:addr   hash address -> units
KEYS[5]  units bought per user    {P}:p:<id>:bought hash user -> units

ARGV[1]  total stock, integer >= 0
ARGV[2]  sold, integer >= 0
ARGV[3]  price in cents, '' when none
ARGV[4]  max per user, '' when none
ARGV[5]  sale starts at, ms, '' when none
ARGV[6]  sale ends at, ms, '' when none
ARGV[7]  product name (status answers it without asking Postgres)
ARGV[8]  'create', or 'bought' to only load a first chunk of bought units
         (a product with many buyers is loaded in several calls, the last one 'create')
then two per bought pair i = 1..n (possibly none):
ARGV[2i+7]  user id
ARGV[2i+8]  units that user bought

Returns
  1    created
  0    already loaded, nothing changed
Bought units are merged by maximum, so a count that moved on in Redis is
never lowered. Holds that outlived their product hash (eviction) are kept,
and counted in reserved and per address, when they are unexpired and fit
(sold + reserved <= total); otherwise they are all dropped.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}
local p = product_keys(1)
if redis.call('EXISTS', p.k_product) == 1 then return 0 end

for i = 9, #ARGV, 2 do
  local units = tonumber(ARGV[i + 1])
  if units > (tonumber(redis.call('HGET', p.k_bought, ARGV[i])) or 0) then
    redis.call('HSET', p.k_bought, ARGV[i], units)
  end
end
if ARGV[8] ~= 'create' then return 0 end

local total, sold = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', p.k_exp, '-inf', now)
if #expired > 0 then
  call_chunked('HDEL', p.k_hold, expired)
  redis.call('ZREMRANGEBYSCORE', p.k_exp, '-inf', now)
end
local reserved, by_addr = 0, {}
local holds = redis.call('HGETALL', p.k_hold)
for i = 2, #holds, 2 do
  local qty, _, addr = parse_hold(holds[i])
  reserved = reserved + qty
  if addr ~= '' then by_addr[addr] = (by_addr[addr] or 0) + qty end
end
redis.call('DEL', p.k_addr)
if sold + reserved > total then
  redis.call('DEL', p.k_exp, p.k_hold)
  reserved = 0
else
  for addr, qty in pairs(by_addr) do redis.call('HSET', p.k_addr, addr, qty) end
end

redis.call('HSET', p.k_product, 'total', total, 'sold', sold, 'reserved', reserved,
  'price', ARGV[3], 'max_per_user', ARGV[4], 'sale_starts_at', ARGV[5], 'sale_ends_at', ARGV[6],
  'name', ARGV[7])
return 1
`

export const initProductScript: LuaScript = {
  name: 'init-product',
  source,
  sha: '980112e7fcc4775017c92adbcd473f65e4b7a6d9',
}
