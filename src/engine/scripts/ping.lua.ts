import type { LuaScript } from '../run-script'

const source = `--[[ ping: proves Redis answers and runs our scripts (health check).

KEYS     none
ARGV     none

Returns
  'PONG'
]]
return 'PONG'
`

export const pingScript: LuaScript = {
  name: 'ping',
  source,
  sha: '288f3f1e675da38443c73e8abeb60ad8eccd653a',
}
