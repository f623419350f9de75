import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, DROP_HOLD, FIND_HOLD, NOW_MS, OPEN_PRODUCT, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ checkout: take a user's hold for an order. The bought units move from
reserved to sold, the rest of the hold is released, and the order waits in
pending until Postgres confirms it (settle). With an Idempotency-Key the
request is recorded first, so a retry finds its first answer or its order.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms"
KEYS[4]  user index               {P}:u:<user>      hash product -> "qty|expiry ms"
KEYS[5]  pending orders           {P}:pending       hash order id -> "product|user|qty|amount|created ms"
KEYS[6]  pending queue            {P}:pending:at    zset order id -> created ms
KEYS[7]  idempotency record       {P}:idem:<sha256> hash (untouched when ARGV[6] is '')

ARGV[1]  user id
ARGV[2]  product id
ARGV[3]  quantity to buy, integer >= 1
ARGV[4]  total amount paid, cents
ARGV[5]  order id to use for a new order
ARGV[6]  sha256 of the request when an Idempotency-Key came with it, else ''
ARGV[7]  how long an in-flight request owns its key, ms
ARGV[8]  how long the idempotency record is kept, ms

Returns
  {'OK', order_id, created_ms, released}  hold taken; released = units of the hold not bought
  {'PENDING', order_id, entry}            this order is already pending (a retry): confirm it
  {'REPLAY', status, body}                the key's first answer
  {'IN_FLIGHT'}                           the same key is being processed now
  {'KEY_REUSED'}                          the same key came with another request
  {'NOT_LOADED'}                          no product hash: hydrate it and retry
  {'NO_RESERVATION', order_id}            no unexpired hold
  {'QUANTITY_EXCEEDS_RESERVATION', held}
  {'AMOUNT_MISMATCH', expected_cents}     the hold is untouched
]]
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}${OPEN_PRODUCT}${DROP_HOLD}${FIND_HOLD}
local k_product, k_index = KEYS[1], KEYS[4]
local k_pending, k_pending_at, k_idem = KEYS[5], KEYS[6], KEYS[7]
local user, product_id = ARGV[1], ARGV[2]
local qty, amount = tonumber(ARGV[3]), tonumber(ARGV[4])
local order_id, request_hash = ARGV[5], ARGV[6]
local now = now_ms()

if request_hash ~= '' then
  local rec = redis.call('HMGET', k_idem, 'request', 'order', 'state', 'lease', 'status', 'body')
  if rec[1] then
    if rec[1] ~= request_hash then return {'KEY_REUSED'} end
    if rec[3] == 'done' then return {'REPLAY', rec[5], rec[6]} end
    -- Another request owns the key until its lease ends; after that a retry takes its order over.
    if rec[2] ~= order_id and (tonumber(rec[4]) or 0) > now then return {'IN_FLIGHT'} end
    order_id = rec[2]
  end
  redis.call('HSET', k_idem, 'request', request_hash, 'order', order_id, 'state', 'in_flight',
    'lease', now + tonumber(ARGV[7]))
  redis.call('PEXPIRE', k_idem, ARGV[8])
end

local entry = redis.call('HGET', k_pending, order_id)
if entry then return {'PENDING', order_id, entry} end

local p = open_product(k_product, KEYS[2], KEYS[3], now)
if not p then return {'NOT_LOADED'} end
local held = find_hold(p, user, now)
if not held then return {'NO_RESERVATION', order_id} end
if qty > held then return {'QUANTITY_EXCEEDS_RESERVATION', held} end
if p.price and p.price * qty ~= amount then return {'AMOUNT_MISMATCH', p.price * qty} end

drop_hold(p, user, held)
redis.call('HDEL', k_index, product_id)
redis.call('HINCRBY', k_product, 'sold', qty)
redis.call('HINCRBY', k_product, 'pending', qty)
redis.call('HSET', k_pending, order_id, table.concat({product_id, user, qty, amount, now}, '|'))
redis.call('ZADD', k_pending_at, now, order_id)
return {'OK', order_id, now, held - qty}
`

export const checkoutScript: LuaScript = {
  name: 'checkout',
  source,
  sha: '9ab4d9201bfda19a545d89f008cc9426c1604540',
}
