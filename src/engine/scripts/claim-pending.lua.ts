import type { LuaScript } from '../run-script'
import { NOW_MS } from './lua-lib'

const source = `--[[ claim-pending: the reconciler claims one pending checkout before it
looks in Postgres, so that neither a retry of the same Idempotency-Key nor
another reconciler run settles it meanwhile. The claim is the member's new
score in the queue (now + claim length); an idempotent order's record gets
the same lease, so a retry waits (IN_FLIGHT) instead of taking the order over.

KEYS[1]  pending checkouts        {P}:p:<id>:pending  hash order id -> "user|qty|amount|created ms|key hash"
KEYS[2]  pending queue            {P}:pending:at      zset "product|order id|key hash" -> created ms or claim
KEYS[3]  idempotency record       {P}:idem:<sha256>   hash (the order's key, when it has one)

ARGV[1]  queue member             "product|order id|key hash"
ARGV[2]  order id
ARGV[3]  claim length, ms; or 'unclaim' to give back a claim the reconciler
         could not settle (Postgres failed), so the next run need not wait for it
ARGV[4]  claim only if the member's score is at or before this, ms; for
         'unclaim', the claim to give back

Returns
  {'CLAIMED', entry, claim}   settle it with this claim (settle's ARGV[7])
  {'BUSY'}                    a request holds the order's key under a live lease: next run
  {'SKIP'}                    claimed by another run, or no longer old enough
  {'GONE'}                    no longer pending (its stale queue member is dropped)
  {'UNCLAIMED'}               (unclaim) the member is back at its created time if the claim still held
]]
${NOW_MS}
local k_pending, k_queue, k_idem = KEYS[1], KEYS[2], KEYS[3]
local member, order_id = ARGV[1], ARGV[2]
local score = tonumber(redis.call('ZSCORE', k_queue, member))
local entry = redis.call('HGET', k_pending, order_id)
if ARGV[3] == 'unclaim' then
  if score and entry and score == tonumber(ARGV[4]) then
    local created = string.match(entry, '^[^|]*|[^|]*|[^|]*|(%d+)|')
    redis.call('ZADD', k_queue, created, member)
    if tonumber(redis.call('HGET', k_idem, 'lease')) == score then redis.call('HSET', k_idem, 'lease', 0) end
  end
  return {'UNCLAIMED'}
end
if not score or score > tonumber(ARGV[4]) then return {'SKIP'} end
if not entry then
  redis.call('ZREM', k_queue, member)
  return {'GONE'}
end
local now = now_ms()
local claim = now + tonumber(ARGV[3])
local rec = redis.call('HMGET', k_idem, 'order', 'state', 'lease')
if rec[1] == order_id then
  if rec[2] == 'in_flight' and (tonumber(rec[3]) or 0) > now then return {'BUSY'} end
  redis.call('HSET', k_idem, 'lease', claim)
end
redis.call('ZADD', k_queue, claim, member)
return {'CLAIMED', entry, claim}
`

export const claimPendingScript: LuaScript = {
  name: 'claim-pending',
  source,
  sha: '201b4830e472dd625514258cbdba37af71fd75d7',
}
