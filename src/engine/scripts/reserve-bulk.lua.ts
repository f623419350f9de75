import type { LuaScript } from '../run-script'
import { ADD_HOLD, CALL_CHUNKED, CHECK_ADD, EXPIRE_INDEX, LOAD_PRODUCT, NOW_MS, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ reserve-bulk: reserve several items for one user, all or nothing. Every
item is checked (after purging its product's expired holds) before any hold
changes; each item adds to the user's hold like reserve does. An item whose
product appears earlier in the list is checked on top of the earlier ones.

KEYS[1]     user index               {P}:u:<user>      zset product -> expiry ms
KEYS[2]     user index quantities    {P}:uq:<user>     hash product -> qty
then four keys per item i = 1..n:
KEYS[4i-1]  product hash             {P}:p:<id>
KEYS[4i]    product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[4i+1]  product hold quantities  {P}:p:<id>:qty    hash user -> qty
KEYS[4i+2]  product hold starts      {P}:p:<id>:start  hash user -> first reserve ms

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
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}${LOAD_PRODUCT}${CHECK_ADD}${ADD_HOLD}${EXPIRE_INDEX}
local k_index, k_index_qty = KEYS[1], KEYS[2]
local user, hold_ms, max_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local n = (#ARGV - 3) / 2

local missing = {'NOT_LOADED'}
for i = 1, n do
  if redis.call('EXISTS', KEYS[4 * i - 1]) == 0 then missing[#missing + 1] = i end
end
if #missing > 1 then return missing end

local now = now_ms()
-- one entry per distinct product, in order of first appearance
local order, by_product = {}, {}
for i = 1, n do
  local pid, add = ARGV[2 * i + 2], tonumber(ARGV[2 * i + 3])
  local e = by_product[pid]
  if not e then
    local k_product, k_exp, k_qty, k_start = KEYS[4 * i - 1], KEYS[4 * i], KEYS[4 * i + 1], KEYS[4 * i + 2]
    purge_expired(k_product, k_exp, k_qty, k_start, now)
    e = {
      pid = pid, k_product = k_product, k_exp = k_exp, k_qty = k_qty, k_start = k_start,
      p = load_product(k_product),
      held = tonumber(redis.call('HGET', k_qty, user)) or 0,
      add = 0,
    }
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

for _, e in ipairs(order) do
  e.total, e.expires = add_hold(e.k_product, e.k_exp, e.k_qty, e.k_start, user, e.held, e.add,
    now, hold_ms, max_ms)
  redis.call('ZADD', k_index, e.expires, e.pid)
  redis.call('HSET', k_index_qty, e.pid, e.total)
end
expire_index(k_index, k_index_qty)

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
  sha: '675d19e1e7a9166d2f6c9e0e02760718239eb794',
}
