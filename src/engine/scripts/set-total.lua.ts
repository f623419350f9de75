import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ set-total: change a product's total stock (restock or reduce), never
below what is sold or held.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms"

ARGV[1]  new total stock, integer >= 0

Returns
  {'OK', previous_total}
  {'BELOW_COMMITTED', sold + reserved}
  {'NOT_LOADED'}
]]
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}
local k_product = KEYS[1]
local total = tonumber(ARGV[1])

if redis.call('EXISTS', k_product) == 0 then return {'NOT_LOADED'} end
purge_expired(k_product, KEYS[2], KEYS[3], now_ms(), math.huge)
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
  sha: '1e68d6eaf8e08577b392c33631ff835ddd6756c2',
}
