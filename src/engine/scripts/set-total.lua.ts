import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PRODUCT, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ set-total: change a product's total stock (restock or reduce), never
below what is sold or held.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms|address"
KEYS[4]  units held per address   {P}:p:<id>:addr   hash address -> units
KEYS[5]  units bought per user    {P}:p:<id>:bought (not touched)

ARGV[1]  new total stock, integer >= 0

Returns
  {'OK', previous_total}
  {'BELOW_COMMITTED', sold + reserved}
  {'NOT_LOADED'}
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}
local p = product_keys(1)
local k_product = KEYS[1]
local total = tonumber(ARGV[1])

if redis.call('EXISTS', k_product) == 0 then return {'NOT_LOADED'} end
purge_expired(p, now_ms(), math.huge)
local f = redis.call('HMGET', k_product, 'total', 'sold', 'reserved')
local committed = (tonumber(f[2]) or 0) + (tonumber(f[3]) or 0)
if total < committed then return {'BELOW_COMMITTED', committed} end
redis.call('HSET', k_product, 'total', total)
redis.call('HINCRBY', k_product, 'settled', 1)
return {'OK', tonumber(f[1]) or 0}
`

export const setTotalScript: LuaScript = {
  name: 'set-total',
  source,
  sha: '4da6d83b3dbaf7a82faed3b6a777c27742a0f94b',
}
