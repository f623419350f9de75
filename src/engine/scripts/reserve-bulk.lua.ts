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
  PURGE_EXPIRED,
} from './lua-lib'

const source = `--[[ reserve-bulk: reserve several items for one user, all or nothing. The
write limits are checked first (once for the whole call); then every item is
checked before any hold changes; each item adds to the user's hold like
reserve does. An item whose product appears earlier in the list is checked
on top of the earlier ones.

KEYS[1]     user index               {P}:u:<user>      hash product -> "qty|expiry ms|may buy more"
KEYS[2]     address write window     {P}:rl:a:<address>
KEYS[3]     customer write window    {P}:rl:c:<customer>
then six keys per item i = 1..n:
KEYS[6i-2]  product hash             {P}:p:<id>
KEYS[6i-1]  product hold expiries    {P}:p:<id>:exp      zset user -> expiry ms
KEYS[6i]    product holds            {P}:p:<id>:hold     hash user -> "qty|first reserve ms|expiry ms|address"
KEYS[6i+1]  units held per address   {P}:p:<id>:addr     hash address -> units
KEYS[6i+2]  units bought per user    {P}:p:<id>:bought   hash user -> units bought or pending
KEYS[6i+3]  pending checkouts        {P}:p:<id>:pending  (not touched)

ARGV[1]     user id
ARGV[2]     hold length, ms
ARGV[3]     hold cap counted from a hold's first reserve, ms
ARGV[4]     client address new holds count against, '' for none
ARGV[5]     most units one address may hold of a product, 0 = no limit
ARGV[6]     address window: most writes ('' = no write limits)
ARGV[7]     address window length, ms
ARGV[8]     customer window: most writes
ARGV[9]     customer window length, ms
then three per item i = 1..n:
ARGV[3i+7]  product id of item i
ARGV[3i+8]  quantity of item i, integer >= 1
ARGV[3i+9]  '1' when the request came with a valid admission to item i's
            product's waiting room (verified at the edge), '' otherwise

Returns {scope, remaining, reset_ms, ...} as reserve does, then (i = 1-based item number)
  'OK', held_1, expires_at_ms_1, may_buy_more_1, ..., held_n, expires_at_ms_n, may_buy_more_n
                                       held_i = the user's whole hold of item i's product
  'NOT_LOADED', i, j, ...              every item whose product hash (or bought counts) is missing (no window counted)
  'RATE_LIMITED'
  'SALE_NOT_ACTIVE', i
  'ADMISSION_REQUIRED', i              item i's product has a waiting room and no admission came for it
  'LIMIT_EXCEEDED', i, max_per_user, held, bought    held includes earlier items of this call
  'ADDRESS_LIMIT_EXCEEDED', i, max_held_per_address, held_by_address
  'INSUFFICIENT_STOCK', i, available   available after earlier items of this call
On any refusal no hold changes (only expired holds are purged).
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}${OPEN_PRODUCT}${GUARD}${DROP_HOLD}${FIND_HOLD}${BOUGHT}${CHECK_ADD}${ADD_HOLD}${INDEX_HOLDS}${MAY_BUY_MORE}
local user, hold_ms, max_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local client_addr, max_addr = ARGV[4], tonumber(ARGV[5])
local n = (#ARGV - 9) / 3
local now = now_ms()

local products, missing = {}, {'NOT_LOADED'}
for i = 1, n do
  products[i] = product_keys(6 * i - 2)
  if not read_product(products[i]) or bought_lost(products[i]) then missing[#missing + 1] = i end
end
if #missing > 1 then return with_rate(NO_RATE, missing) end
local limited, rate = guard(KEYS[2], KEYS[3], 6, now)
if limited then return limited end

-- one entry per distinct product, in order of first appearance
local order, by_product = {}, {}
for i = 1, n do
  local pid, add, admitted = ARGV[3 * i + 7], tonumber(ARGV[3 * i + 8]), ARGV[3 * i + 9] == '1'
  local e = by_product[pid]
  if not e then
    e = { pid = pid, p = products[i], add = 0 }
    open_product(e.p, now)
    e.held, e.start, e.addr = find_hold(e.p, user, now)
    e.held = e.held or 0
    if not e.start then e.addr = client_addr end
    e.bought = bought_of(e.p, user)
    by_product[pid] = e
    order[#order + 1] = e
  end
  local refusal = check_add(e.p, e.held + e.add, e.bought, add, e.addr, max_addr, now, e.add, admitted)
  if refusal then
    table.insert(refusal, 2, i)
    return with_rate(rate, refusal)
  end
  e.add = e.add + add
  e.p.reserved = e.p.reserved + add
end

local entries = {}
for _, e in ipairs(order) do
  e.total, e.expires = add_hold(e.p, user, e.held, e.start, e.addr, e.add, now, hold_ms, max_ms)
  e.more = may_buy_more(e.p, e.total, e.bought)
  entries[#entries + 1] = e.pid
  entries[#entries + 1] = e.total
  entries[#entries + 1] = e.expires
  entries[#entries + 1] = e.more
end
index_holds(KEYS[1], entries, now)

local reply = {'OK'}
for i = 1, n do
  local e = by_product[ARGV[3 * i + 7]]
  reply[#reply + 1] = e.total
  reply[#reply + 1] = e.expires
  reply[#reply + 1] = e.more
end
return with_rate(rate, reply)
`

export const reserveBulkScript: LuaScript = {
  name: 'reserve-bulk',
  source,
  sha: 'ffcc4ded0dfe74f8e333de5bd2f0052e10377058',
}
