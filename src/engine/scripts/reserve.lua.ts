import type { LuaScript } from '../run-script'
import {
  ADD_HOLD,
  BOUGHT,
  CALL_CHUNKED,
  CHECK_ADD,
  DROP_HOLD,
  FIND_HOLD,
  GUARD,
  INDEX_HOLDS,
  MAY_BUY_MORE,
  NOW_MS,
  OPEN_PRODUCT,
  PRODUCT,
  productKeysHeader,
  PURGE_EXPIRED,
} from './lua-lib'

const source = `--[[ reserve: put units of one product on hold for one user, or add to the
user's hold, restarting its clock (capped at first reserve + hold cap). The
write limits are checked first, in the same step.

${productKeysHeader()}
KEYS[7]   user index               {P}:u:<user>        hash product -> "qty|expiry ms|may buy more"
KEYS[8]   address write window     {P}:rl:a:<address>
KEYS[9]   customer write window    {P}:rl:c:<customer>

ARGV[1]  user id
ARGV[2]  product id (field of the user index)
ARGV[3]  quantity to add, integer >= 1
ARGV[4]  hold length, ms
ARGV[5]  hold cap counted from the hold's first reserve, ms
ARGV[6]  client address a new hold counts against, '' for none
ARGV[7]  most units one address may hold of the product, 0 = no limit
ARGV[8]  address window: most writes ('' = no write limits)
ARGV[9]  address window length, ms
ARGV[10] customer window: most writes
ARGV[11] customer window length, ms
ARGV[12] '1' when the request came with a valid admission to the product's
         waiting room (verified at the edge), '' otherwise

Returns {scope, remaining, reset_ms, ...}: the tighter write window ('ip' or
'user'; '-' when not checked), then one of
  'OK', held, expires_at_ms, may_buy_more   held = the user's whole hold now;
                                            may_buy_more '' without max_per_user
  'NOT_LOADED'                       no product hash, or its bought counts were lost: hydrate it and retry (no window counted)
  'RATE_LIMITED'                     nothing else was done
  'SALE_NOT_ACTIVE'                  now outside [sale_starts_at, sale_ends_at)
  'ADMISSION_REQUIRED'               the product has a waiting room and ARGV[12] is not '1'
  'LIMIT_EXCEEDED', max_per_user, held, bought
  'ADDRESS_LIMIT_EXCEEDED', max_held_per_address, held_by_address
  'INSUFFICIENT_STOCK', available
A batch of the product's expired holds is purged first, and as many more as
it takes before the answer is INSUFFICIENT_STOCK.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}${OPEN_PRODUCT}${GUARD}${DROP_HOLD}${FIND_HOLD}${BOUGHT}${CHECK_ADD}${ADD_HOLD}${INDEX_HOLDS}${MAY_BUY_MORE}
local user, product_id = ARGV[1], ARGV[2]
local add, hold_ms, max_ms = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local client_addr, max_addr = ARGV[6], tonumber(ARGV[7])
local admitted = ARGV[12] == '1'
local now = now_ms()

local p = product_keys(1)
if not read_product(p) or bought_lost(p) then return with_rate(NO_RATE, {'NOT_LOADED'}) end
local limited, rate = guard(KEYS[8], KEYS[9], 8, now)
if limited then return limited end
open_product(p, now)
local held, start, addr = find_hold(p, user, now)
held = held or 0
if not start then addr = client_addr end
local bought = bought_of(p, user)
local refusal = check_add(p, held, bought, add, addr, max_addr, now, 0, admitted)
if refusal then return with_rate(rate, refusal) end

local total, expires = add_hold(p, user, held, start, addr, add, now, hold_ms, max_ms)
local more = may_buy_more(p, total, bought)
index_holds(KEYS[7], {product_id, total, expires, more}, now)
return with_rate(rate, {'OK', total, expires, more})
`

export const reserveScript: LuaScript = {
  name: 'reserve',
  source,
  sha: 'f724c64ee2d22dda38be965615554cb6690233ce',
}
