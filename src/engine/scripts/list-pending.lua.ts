import type { LuaScript } from '../run-script'

const source = `--[[ list-pending: the oldest pending checkouts, for the reconciler.

KEYS[1]  pending queue            {P}:pending:at      zset "product|order id|key hash" -> created ms or claim

ARGV[1]  only members scored at or before this time, ms
ARGV[2]  at most this many

Returns
  {member_1, member_2, ...}   "product|order id|key hash", oldest first
]]
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
`

export const listPendingScript: LuaScript = {
  name: 'list-pending',
  source,
  sha: '3f0cecf72a051e047d9a4b1b4eae347307c152da',
}
