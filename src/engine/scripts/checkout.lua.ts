import type { LuaScript } from '../run-script'
import { BOUGHT, CALL_CHUNKED, DROP_HOLD, FIND_HOLD, GUARD, NOW_MS, OPEN_PRODUCT, PRODUCT, productKeysHeader, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ checkout: take a user's hold for an order. The bought units move from
reserved to sold, the rest of the hold is released, and the order waits in
pending until Postgres confirms it (settle). The write limits are checked
first. With an Idempotency-Key, a retry finds its first answer or its order;
the key is recorded only once the request holds units, so a request that
holds nothing costs no memory.

${productKeysHeader()}
KEYS[7]   user index               {P}:u:<user>        hash product -> "qty|expiry ms|may buy more"
KEYS[8]   pending queue            {P}:pending:at      zset "product|order id|key hash" -> created ms
KEYS[9]   idempotency record       {P}:idem:<sha256 of customer and key> (untouched when ARGV[6] is '')
KEYS[10]  address write window     {P}:rl:a:<address>
KEYS[11]  customer write window    {P}:rl:c:<customer>

ARGV[1]  user id
ARGV[2]  product id
ARGV[3]  quantity to buy, integer >= 1
ARGV[4]  total amount paid, cents
ARGV[5]  order id to use for a new order
ARGV[6]  sha256 of the request when an Idempotency-Key came with it, else ''
ARGV[7]  the key hash that names KEYS[9] ('' without a key), kept with the pending order
ARGV[8]  how long an in-flight request owns its key, ms
ARGV[9]  how long the idempotency record is kept, ms
ARGV[10] address window: most writes ('' = no write limits)
ARGV[11] address window length, ms
ARGV[12] customer window: most writes
ARGV[13] customer window length, ms

Returns {scope, remaining, reset_ms, ...} as reserve does, then one of
  'OK', order_id, created_ms             hold taken; the rest of it is released
  'PENDING', order_id, entry             this order is already pending (a retry): confirm it
  'REPLAY', kind, body                   the key's first answer
  'IN_FLIGHT'                            the same key is being processed now (or claimed by the reconciler)
  'KEY_REUSED'                           the same key came with another request
  'NOT_LOADED'                           no product hash, or its bought counts were lost: hydrate and retry (no window counted)
  'RATE_LIMITED'
  'NO_RESERVATION', order_id             no unexpired hold (order_id: the key's, if recorded)
  'QUANTITY_EXCEEDS_RESERVATION', held   the hold is untouched, the key recorded
  'AMOUNT_MISMATCH', expected_cents      the hold is untouched, the key recorded
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}${OPEN_PRODUCT}${GUARD}${DROP_HOLD}${FIND_HOLD}${BOUGHT}
local k_index, k_queue, k_idem = KEYS[7], KEYS[8], KEYS[9]
local user, product_id = ARGV[1], ARGV[2]
local qty, amount = tonumber(ARGV[3]), tonumber(ARGV[4])
local order_id, request_hash, key_hash = ARGV[5], ARGV[6], ARGV[7]
local now = now_ms()

local p = product_keys(1)
if not read_product(p) or bought_lost(p) then return with_rate(NO_RATE, {'NOT_LOADED'}) end
local limited, rate = guard(KEYS[10], KEYS[11], 10, now)
if limited then return limited end

local recorded = false
if request_hash ~= '' then
  local rec = redis.call('HMGET', k_idem, 'request', 'order', 'state', 'lease', 'kind', 'body')
  if rec[1] then
    if rec[1] ~= request_hash then return with_rate(rate, {'KEY_REUSED'}) end
    if rec[3] == 'done' then return with_rate(rate, {'REPLAY', rec[5], rec[6]}) end
    -- Another request (or the reconciler) owns the key until its lease ends; after that a retry takes its order over.
    if rec[2] ~= order_id and (tonumber(rec[4]) or 0) > now then return with_rate(rate, {'IN_FLIGHT'}) end
    order_id = rec[2]
    recorded = true
  end
end
-- From here on this request owns the key.
local function take_key()
  redis.call('HSET', k_idem, 'request', request_hash, 'order', order_id, 'state', 'in_flight',
    'lease', now + tonumber(ARGV[8]))
  redis.call('PEXPIRE', k_idem, ARGV[9])
end

local entry = redis.call('HGET', p.k_pending, order_id)
if entry then
  if recorded then take_key() end
  return with_rate(rate, {'PENDING', order_id, entry})
end

open_product(p, now)
local held, _, addr = find_hold(p, user, now)
if not held then return with_rate(rate, {'NO_RESERVATION', order_id}) end
if request_hash ~= '' then take_key() end
if qty > held then return with_rate(rate, {'QUANTITY_EXCEEDS_RESERVATION', held}) end
if p.price and p.price * qty ~= amount then return with_rate(rate, {'AMOUNT_MISMATCH', p.price * qty}) end

drop_hold(p, user, held, addr)
redis.call('HDEL', k_index, product_id)
redis.call('HINCRBY', p.k_product, 'sold', qty)
redis.call('HINCRBY', p.k_product, 'pending', qty)
if p.max_per_user then redis.call('HINCRBY', p.k_bought, user, qty) end
redis.call('HSET', p.k_pending, order_id, table.concat({user, qty, amount, now, key_hash}, '|'))
redis.call('ZADD', k_queue, now, table.concat({product_id, order_id, key_hash}, '|'))
return with_rate(rate, {'OK', order_id, now})
`

export const checkoutScript: LuaScript = {
  name: 'checkout',
  source,
  sha: 'bcadf64eeb862e2264df63f51734b281f68af38c',
}
