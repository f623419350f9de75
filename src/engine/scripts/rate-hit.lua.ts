import type { LuaScript } from '../run-script'
import { GUARD, NOW_MS } from './lua-lib'

const source = `--[[ rate-hit: count one request against a client address's write window
without doing anything else: a write refused before its own script ran (a
failed token or challenge) still spends the address's budget.

KEYS[1]  address write window     {P}:rl:a:<address>

ARGV[1]  address window: most writes
ARGV[2]  address window length, ms

Returns
  {'ip', remaining, reset_ms, 'OK'}            counted
  {'ip', 0, reset_ms, 'RATE_LIMITED'}          the window was already full
]]
${NOW_MS}${GUARD}
local ok, left, reset = rate_take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), now_ms())
if not ok then return {'ip', 0, reset, 'RATE_LIMITED'} end
return {'ip', left, reset, 'OK'}
`

export const rateHitScript: LuaScript = {
  name: 'rate-hit',
  source,
  sha: '04b8aa1b189beb483539c9a5a924239f241a48bf',
}
