import type { LuaScript } from '../run-script'
import { ADD_HOLD, CALL_CHUNKED, CHECK_ADD, DROP_HOLD, FIND_HOLD, INDEX_HOLDS, NOW_MS, OPEN_PRODUCT, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ reserve-bulk: reserve several items for one user, all or nothing. Every
item is checked before any hold changes; each item adds to the user's hold
like reserve does. An item whose product appears earlier in the list is
checked on top of the earlier ones.

KEYS[1]     user index               {P}:u:<user>      hash product -> "qty|expiry ms"
then three keys per item i = 1..n:
KEYS[3i-1]  product hash             {P}:p:<id>
KEYS[3i]    product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3i+1]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms"

ARGV[1]     user id
ARGV[2]     hold length, ms
ARGV[3]     hold cap counted from a hold's first reserve, ms
then two per item i = 1..n:
ARGV[2i+2]  product id of item i
ARGV[2i+3]  quantity of item i, integer >= 1

Returns (i = 1-based item number)
  {'OK', held_1, expires_at_ms_1, ..., held_n, expires_at_ms_n}
                                       held_i = the user's whole hold of item i's product
  {'NOT_LOADED', i, j, ...}            every item whose product hash is missing
  {'SALE_NOT_ACTIVE', i}
  {'LIMIT_EXCEEDED', i, max_per_user, held}  held includes earlier items of this call
  {'INSUFFICIENT_STOCK', i, available}       available after earlier items of this call
On any refusal no hold changes (only expired holds are purged).
]]
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}${OPEN_PRODUCT}${DROP_HOLD}${FIND_HOLD}${CHECK_ADD}${ADD_HOLD}${INDEX_HOLDS}
local user, hold_ms, max_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local n = (#ARGV - 3) / 2

local missing = {'NOT_LOADED'}
for i = 1, n do
  if redis.call('EXISTS', KEYS[3 * i - 1]) == 0 then missing[#missing + 1] = i end
end
if #missing > 1 then return missing end

local now = now_ms()
-- one entry per distinct product, in order of first appearance
local order, by_product = {}, {}
for i = 1, n do
  local pid, add = ARGV[2 * i + 2], tonumber(ARGV[2 * i + 3])
  local e = by_product[pid]
  if not e then
    e = { pid = pid, p = open_product(KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1], now), add = 0 }
    e.held, e.start = find_hold(e.p, user, now)
    e.held = e.held or 0
    by_product[pid] = e
    order[#order + 1] = e
  end
  local refusal = check_add(e.p, e.held + e.add, add, now)
  if refusal then
    table.insert(refusal, 2, i)
    return refusal
  end
  e.add = e.add + add
  e.p.reserved = e.p.reserved + add
end

local entries = {}
for _, e in ipairs(order) do
  e.total, e.expires = add_hold(e.p, user, e.held, e.start, e.add, now, hold_ms, max_ms)
  entries[#entries + 1] = e.pid
  entries[#entries + 1] = e.total
  entries[#entries + 1] = e.expires
end
index_holds(KEYS[1], entries, now)

local reply = {'OK'}
for i = 1, n do
  local e = by_product[ARGV[2 * i + 2]]
  reply[#reply + 1] = e.total
  reply[#reply + 1] = e.expires
end
return reply
`

export const reserveBulkScript: LuaScript = {
  name: 'reserve-bulk',
  source,
  sha: 'acf37181d1bb3a1ee1e35361c8c6bb073e7fb177',
}
