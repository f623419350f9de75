import type { LuaScript } from '../run-script'

const source = `--[[ list-pending: the oldest pending checkouts, for the reconciler.

KEYS[1]  pending orders           {P}:pending       hash order id -> "product|user|qty|amount|created ms"
KEYS[2]  pending queue            {P}:pending:at    zset order id -> created ms

ARGV[1]  only orders created at or before this time, ms
ARGV[2]  at most this many

Returns
  flat pairs: order_id, entry ("product|user|qty|amount|created ms")
]]
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local entry = redis.call('HGET', KEYS[1], id)
  if entry then
    out[#out + 1] = id
    out[#out + 1] = entry
  else
    redis.call('ZREM', KEYS[2], id)
  end
end
return out
`

export const listPendingScript: LuaScript = {
  name: 'list-pending',
  source,
  sha: 'bec5bd65349757dad4af4f9fd1b59e20593a8f8f',
}
