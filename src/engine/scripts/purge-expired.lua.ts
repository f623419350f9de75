import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ purge-expired: drop every expired hold of one product, giving its units back
(every other product script does the same first; this one is for sweepers).

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms"

ARGV     none

Returns
  purged     number of holds dropped (0 when the product is not loaded)
]]
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return (purge_expired(KEYS[1], KEYS[2], KEYS[3], now_ms(), math.huge))
`

export const purgeExpiredScript: LuaScript = {
  name: 'purge-expired',
  source,
  sha: '4c96b69769171e536ab20e0e862a2260bdd8aa09',
}
