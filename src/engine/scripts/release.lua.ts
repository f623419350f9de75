import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, DROP_HOLD, FIND_HOLD, NOW_MS, OPEN_PRODUCT, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ release: cancel one user's hold on one product; its units go back on sale.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms"
KEYS[4]  user index               {P}:u:<user>      hash product -> "qty|expiry ms"

ARGV[1]  user id
ARGV[2]  product id (field of the user index)

Returns
  {'OK', released}       units given back
  {'NO_RESERVATION'}     no unexpired hold
  {'NOT_LOADED'}         no product hash
An expired hold is no reservation (it is purged instead). The user's index
entry for the product is dropped in every case.
]]
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}${OPEN_PRODUCT}${DROP_HOLD}${FIND_HOLD}
local user, product_id = ARGV[1], ARGV[2]
local now = now_ms()

redis.call('HDEL', KEYS[4], product_id)
local p = open_product(KEYS[1], KEYS[2], KEYS[3], now)
if not p then return {'NOT_LOADED'} end
local held = find_hold(p, user, now)
if not held then return {'NO_RESERVATION'} end
drop_hold(p, user, held)
return {'OK', held}
`

export const releaseScript: LuaScript = {
  name: 'release',
  source,
  sha: '073f8ee39ac6bf04cae211475c28fddd453b3b72',
}
