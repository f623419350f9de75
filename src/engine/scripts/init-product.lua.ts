import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS } from './lua-lib'

const source = `--[[ init-product: load a product's counters if Redis does not have them
(init-if-absent: a live product is never overwritten).

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms"

ARGV[1]  total stock, integer >= 0
ARGV[2]  sold, integer >= 0
ARGV[3]  price in cents, '' when none
ARGV[4]  max per user, '' when none
ARGV[5]  sale starts at, ms, '' when none
ARGV[6]  sale ends at, ms, '' when none
ARGV[7]  product name (status answers it without asking Postgres)

Returns
  1    created
  0    already loaded, nothing changed
Holds that outlived their product hash (eviction) are kept, and counted in
reserved, when they are unexpired and fit (sold + reserved <= total);
otherwise they are all dropped.
]]
${NOW_MS}${CALL_CHUNKED}
local k_product, k_exp, k_hold = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', k_product) == 1 then return 0 end

local total, sold = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', k_exp, '-inf', now)
if #expired > 0 then
  call_chunked('HDEL', k_hold, expired)
  redis.call('ZREMRANGEBYSCORE', k_exp, '-inf', now)
end
local reserved = 0
for _, v in ipairs(redis.call('HVALS', k_hold)) do
  reserved = reserved + (tonumber(string.match(v, '^%d+')) or 0)
end
if sold + reserved > total then
  redis.call('DEL', k_exp, k_hold)
  reserved = 0
end

redis.call('HSET', k_product, 'total', total, 'sold', sold, 'reserved', reserved,
  'price', ARGV[3], 'max_per_user', ARGV[4], 'sale_starts_at', ARGV[5], 'sale_ends_at', ARGV[6],
  'name', ARGV[7])
return 1
`

export const initProductScript: LuaScript = {
  name: 'init-product',
  source,
  sha: '633fde2cbc271519728db24f09bf411f4642c7a9',
}
