import type { LuaScript } from '../run-script'
import { ADD_HOLD, CALL_CHUNKED, CHECK_ADD, DROP_HOLD, FIND_HOLD, INDEX_HOLDS, NOW_MS, OPEN_PRODUCT, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ reserve: put units of one product on hold for one user, or add to the
user's hold, restarting its clock (capped at first reserve + hold cap).

KEYS[1]  product hash             {P}:p:<id>        total, sold, reserved, limits, sale window
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms"
KEYS[4]  user index               {P}:u:<user>      hash product -> "qty|expiry ms"

ARGV[1]  user id
ARGV[2]  product id (field of the user index)
ARGV[3]  quantity to add, integer >= 1
ARGV[4]  hold length, ms
ARGV[5]  hold cap counted from the hold's first reserve, ms

Returns
  {'OK', held, expires_at_ms}          held = the user's whole hold now
  {'NOT_LOADED'}                       no product hash: hydrate it and retry
  {'SALE_NOT_ACTIVE'}                  now outside [sale_starts_at, sale_ends_at)
  {'LIMIT_EXCEEDED', max_per_user, held}
  {'INSUFFICIENT_STOCK', available}
A batch of the product's expired holds is purged first, and as many more as
it takes before the answer is INSUFFICIENT_STOCK.
]]
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}${OPEN_PRODUCT}${DROP_HOLD}${FIND_HOLD}${CHECK_ADD}${ADD_HOLD}${INDEX_HOLDS}
local user, product_id = ARGV[1], ARGV[2]
local add, hold_ms, max_ms = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms()

local p = open_product(KEYS[1], KEYS[2], KEYS[3], now)
if not p then return {'NOT_LOADED'} end
local held, start = find_hold(p, user, now)
held = held or 0
local refusal = check_add(p, held, add, now)
if refusal then return refusal end

local total, expires = add_hold(p, user, held, start, add, now, hold_ms, max_ms)
index_holds(KEYS[4], {product_id, total, expires}, now)
return {'OK', total, expires}
`

export const reserveScript: LuaScript = {
  name: 'reserve',
  source,
  sha: '7d38efb46cb81aec932703bc4dd9c9c918bf7271',
}
