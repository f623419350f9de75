import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PRODUCT, productKeysHeader, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ status: a product's live counters, after purging its expired holds.

${productKeysHeader()}

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
  sha: '0605689bc371a5b6756d384af75d37e5c85e80da',
}
