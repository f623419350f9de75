import type { LuaScript } from '../run-script'

const source = `--[[ ping: proves Redis answers and runs our scripts (health check), and
says whether Redis may evict keys when its memory is full.

KEYS     none
ARGV     none

Returns
  {'PONG', maxmemory_policy}   '' when the server does not say (INFO refused or without it)
]]
local ok, info = pcall(redis.call, 'INFO', 'memory')
local policy = ok and type(info) == 'string' and string.match(info, 'maxmemory_policy:([%w-]+)') or ''
return {'PONG', policy}
`

export const pingScript: LuaScript = {
  name: 'ping',
  source,
  sha: '257c0355ffe93d58386fd756f42da35589e8d5fa',
}
