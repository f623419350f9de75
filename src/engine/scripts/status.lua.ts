import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ status: a product's live counters, after purging its expired holds.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product hold quantities  {P}:p:<id>:qty    hash user -> qty
KEYS[4]  product hold starts      {P}:p:<id>:start  hash user -> first reserve ms

ARGV     none

Returns
  {'OK', total, sold, reserved, name}   reserved = units of unexpired holds
  {'NOT_LOADED'}
]]
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}
local k_product, k_exp, k_qty, k_start = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

if redis.call('EXISTS', k_product) == 0 then return {'NOT_LOADED'} end
purge_expired(k_product, k_exp, k_qty, k_start, now_ms())
local f = redis.call('HMGET', k_product, 'total', 'sold', 'reserved', 'name')
return {'OK', tonumber(f[1]) or 0, tonumber(f[2]) or 0, tonumber(f[3]) or 0, f[4] or ''}
`

export const statusScript: LuaScript = {
  name: 'status',
  source,
  sha: 'f36d9055fc3a297eda025ba4bd139efb68abc441',
}
