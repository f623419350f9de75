import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PRODUCT, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ status: a product's live counters, after purging its expired holds.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms|address"
KEYS[4]  units held per address   {P}:p:<id>:addr   hash address -> units
KEYS[5]  units bought per user    {P}:p:<id>:bought (not touched)

ARGV     none

Returns
  {'OK', total, sold, reserved, name}   reserved = units of unexpired holds
  {'NOT_LOADED'}
Every expired hold of the product is purged first (not one batch), so the
counters are exact.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}
local p = product_keys(1)
local f = redis.call('HMGET', KEYS[1], 'total', 'sold', 'reserved', 'name')
if not f[1] then return {'NOT_LOADED'} end
local _, units = purge_expired(p, now_ms(), math.huge)
return {'OK', tonumber(f[1]) or 0, tonumber(f[2]) or 0, (tonumber(f[3]) or 0) - units, f[4] or ''}
`

export const statusScript: LuaScript = {
  name: 'status',
  source,
  sha: 'db25b1f987a880a3fe2498f8c228b135d4fdbe63',
}
