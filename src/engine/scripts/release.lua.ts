import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, DROP_HOLD, FIND_HOLD, GUARD, NOW_MS, OPEN_PRODUCT, PRODUCT, productKeysHeader, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ release: cancel one user's hold on one product; its units go back on
sale. The write limits are checked first, in the same step.

${productKeysHeader()}
KEYS[7]   user index               {P}:u:<user>        hash product -> "qty|expiry ms|may buy more"
KEYS[8]   address write window     {P}:rl:a:<address>
KEYS[9]   customer write window    {P}:rl:c:<customer>

ARGV[1]  user id
ARGV[2]  product id (field of the user index)
ARGV[3]  address window: most writes ('' = no write limits)
ARGV[4]  address window length, ms
ARGV[5]  customer window: most writes
ARGV[6]  customer window length, ms

Returns {scope, remaining, reset_ms, ...} as reserve does, then one of
  'OK', released         units given back
  'NO_RESERVATION'       no unexpired hold
  'NOT_LOADED'           no product hash (no window counted)
  'RATE_LIMITED'
An expired hold is no reservation (it is purged instead). Unless rate
limited, the user's index entry for the product is dropped in every case.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}${OPEN_PRODUCT}${GUARD}${DROP_HOLD}${FIND_HOLD}
local user, product_id = ARGV[1], ARGV[2]
local now = now_ms()

local p = product_keys(1)
if not read_product(p) then return with_rate(NO_RATE, {'NOT_LOADED'}) end
local limited, rate = guard(KEYS[8], KEYS[9], 3, now)
if limited then return limited end
redis.call('HDEL', KEYS[7], product_id)
open_product(p, now)
local held, _, addr = find_hold(p, user, now)
if not held then return with_rate(rate, {'NO_RESERVATION'}) end
drop_hold(p, user, held, addr)
return with_rate(rate, {'OK', held})
`

export const releaseScript: LuaScript = {
  name: 'release',
  source,
  sha: '1c66fcfa8462b4475a192c2a1539dd3dc302e4e4',
}
