import type { LuaScript } from '../run-script'

const source = `--[[ settle: end a pending order once Postgres has answered, and record the
answer of an idempotent request.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  units bought per user    {P}:p:<id>:bought   hash user -> units bought or pending
KEYS[3]  pending checkouts        {P}:p:<id>:pending  hash order id -> "user|qty|amount|created ms|key hash"
KEYS[4]  pending queue            {P}:pending:at      zset "product|order id|key hash" -> created ms or claim
KEYS[5]  idempotency record       {P}:idem:<sha256>   hash (with ARGV[3], 'release', or a claimed give-back)

ARGV[1]  order id, '' for none (only record an answer)
ARGV[2]  'confirm'    Postgres has the order: drop the pending entry
         'give_back'  Postgres refused it or never got it: its units go back on
                      sale (sold -= qty) and no longer count as the user's purchase
         'release'    Postgres did not answer: the entry stays, and the request
                      gives up its key so a retry can take the order over now
ARGV[3]  what kind of answer to record (the caller's word for it), '' for none
ARGV[4]  body of the answer to record
ARGV[5]  how long the idempotency record is kept, ms
ARGV[6]  product id
ARGV[7]  the reconciler's claim on the order (see claim-pending), '' for a request

Returns
  units given back (0 when confirming, or when the order was no longer pending)
  -1 when ARGV[7] is a claim that no longer holds (nothing changed)
Every change bumps the product's 'settled' counter, which the reconciler
uses to notice that a checkout ended while it compared stores. A claimed
give-back also forgets the order's idempotency record, so the key is free.
]]
local k_product, k_bought, k_pending, k_queue, k_idem = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local order_id, mode, claim = ARGV[1], ARGV[2], ARGV[7]
local given_back = 0

if mode == 'release' then
  if redis.call('HGET', k_idem, 'state') == 'in_flight' then redis.call('HSET', k_idem, 'lease', 0) end
  return 0
end

local entry = order_id ~= '' and redis.call('HGET', k_pending, order_id)
if entry then
  local user, qty, key_hash = string.match(entry, '^([^|]*)|(%d+)|[^|]*|[^|]*|(.*)$')
  qty = tonumber(qty)
  local member = table.concat({ARGV[6], order_id, key_hash}, '|')
  if claim ~= '' and tonumber(redis.call('ZSCORE', k_queue, member)) ~= tonumber(claim) then return -1 end
  redis.call('HDEL', k_pending, order_id)
  redis.call('ZREM', k_queue, member)
  if redis.call('EXISTS', k_product) == 1 then
    redis.call('HINCRBY', k_product, 'pending', -qty)
    redis.call('HINCRBY', k_product, 'settled', 1)
    if mode == 'give_back' then
      redis.call('HINCRBY', k_product, 'sold', -qty)
      if redis.call('HEXISTS', k_bought, user) == 1 and redis.call('HINCRBY', k_bought, user, -qty) <= 0 then
        redis.call('HDEL', k_bought, user)
      end
    end
  end
  if mode == 'give_back' then given_back = qty end
  if claim ~= '' and mode == 'give_back' and redis.call('HGET', k_idem, 'order') == order_id then
    redis.call('DEL', k_idem)
  end
elseif claim ~= '' then
  return -1
end

if ARGV[3] ~= '' then
  redis.call('HSET', k_idem, 'state', 'done', 'kind', ARGV[3], 'body', ARGV[4])
  redis.call('PEXPIRE', k_idem, ARGV[5])
end
return given_back
`

export const settleScript: LuaScript = {
  name: 'settle',
  source,
  sha: '970f44d02b9464f8d0ec3990f757eb3fbe8fec18',
}
