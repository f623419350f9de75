import type { LuaScript } from '../run-script'
import { ADD_HOLD, CALL_CHUNKED, CHECK_ADD, EXPIRE_INDEX, LOAD_PRODUCT, NOW_MS, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ reserve: put units of one product on hold for one user, or add to the
user's hold, restarting its clock (capped at first reserve + hold cap).

KEYS[1]  product hash             {P}:p:<id>        total, sold, reserved, limits, sale window
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product hold quantities  {P}:p:<id>:qty    hash user -> qty
KEYS[4]  product hold starts      {P}:p:<id>:start  hash user -> first reserve ms
KEYS[5]  user index               {P}:u:<user>      zset product -> expiry ms
KEYS[6]  user index quantities    {P}:uq:<user>     hash product -> qty

ARGV[1]  user id
ARGV[2]  product id (member of the user index)
ARGV[3]  quantity to add, integer >= 1
ARGV[4]  hold length, ms
ARGV[5]  hold cap counted from the hold's first reserve, ms

Returns
  {'OK', held, expires_at_ms}          held = the user's whole hold now
  {'NOT_LOADED'}                       no product hash: hydrate it and retry
  {'SALE_NOT_ACTIVE'}                  now outside [sale_starts_at, sale_ends_at)
  {'LIMIT_EXCEEDED', max_per_user, held}
  {'INSUFFICIENT_STOCK', available}
Expired holds of the product are purged before anything is checked.
]]
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}${LOAD_PRODUCT}${CHECK_ADD}${ADD_HOLD}${EXPIRE_INDEX}
local k_product, k_exp, k_qty, k_start = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local k_index, k_index_qty = KEYS[5], KEYS[6]
local user, product_id = ARGV[1], ARGV[2]
local add, hold_ms, max_ms = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])

if redis.call('EXISTS', k_product) == 0 then return {'NOT_LOADED'} end
local now = now_ms()
purge_expired(k_product, k_exp, k_qty, k_start, now)

local p = load_product(k_product)
local held = tonumber(redis.call('HGET', k_qty, user)) or 0
local refusal = check_add(p, held, add, now)
if refusal then return refusal end

local total, expires = add_hold(k_product, k_exp, k_qty, k_start, user, held, add, now, hold_ms, max_ms)
redis.call('ZADD', k_index, expires, product_id)
redis.call('HSET', k_index_qty, product_id, total)
expire_index(k_index, k_index_qty)
return {'OK', total, expires}
`

export const reserveScript: LuaScript = {
  name: 'reserve',
  source,
  sha: 'f5c02e041f5971f0816fe8b34be347173c8f10e3',
}
