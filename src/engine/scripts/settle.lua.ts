import type { LuaScript } from '../run-script'

const source = `--[[ settle: end a pending order once Postgres has answered, and record the
answer of an idempotent request.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  units bought per user    {P}:p:<id>:bought hash user -> units bought or pending
KEYS[3]  pending orders           {P}:pending       hash order id -> "product|user|qty|amount|created ms"
KEYS[4]  pending queue            {P}:pending:at    zset order id -> created ms
KEYS[5]  idempotency record       {P}:idem:<sha256> hash (only with ARGV[3], or 'release')

ARGV[1]  order id, '' for none (only record an answer)
ARGV[2]  'confirm'    Postgres has the order: drop the pending entry
         'give_back'  Postgres refused it: its units go back on sale (sold -= qty)
                      and no longer count as the user's purchase
         'release'    Postgres did not answer: the entry stays, and the request
                      gives up its key so a retry can take the order over now
ARGV[3]  HTTP status of the answer to record, '' for none
ARGV[4]  body of the answer to record
ARGV[5]  how long the idempotency record is kept, ms

Returns
  units given back (0 when confirming, or when the order was no longer pending)
Every change bumps the product's 'settled' counter, which the reconciler
uses to notice that a checkout ended while it compared stores.
]]
local k_product, k_bought, k_pending, k_pending_at, k_idem = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local order_id, mode = ARGV[1], ARGV[2]
local given_back = 0

if mode == 'release' then
  if redis.call('HGET', k_idem, 'state') == 'in_flight' then redis.call('HSET', k_idem, 'lease', 0) end
  return 0
end

local entry = order_id ~= '' and redis.call('HGET', k_pending, order_id)
if entry then
  local user, qty = string.match(entry, '^[^|]*|([^|]*)|([^|]*)|')
  qty = tonumber(qty)
  redis.call('HDEL', k_pending, order_id)
  redis.call('ZREM', k_pending_at, order_id)
  if redis.call('EXISTS', k_product) == 1 then
    redis.call('HINCRBY', k_product, 'pending', -qty)
    redis.call('HINCRBY', k_product, 'settled', 1)
    if mode == 'give_back' then
      redis.call('HINCRBY', k_product, 'sold', -qty)
      if redis.call('HEXISTS', k_bought, user) == 1 and redis.call('HINCRBY', k_bought, user, -qty) <= 0 then
        redis.call('HDEL', k_bought, user)
      end
      given_back = qty
    end
  end
end

if ARGV[3] ~= '' then
  redis.call('HSET', k_idem, 'state', 'done', 'status', ARGV[3], 'body', ARGV[4])
  redis.call('PEXPIRE', k_idem, ARGV[5])
end
return given_back
`

export const settleScript: LuaScript = {
  name: 'settle',
  source,
  sha: 'f310ef25b3f0000271da4793ff3fc59ece86481b',
}
