import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PRODUCT, productKeysHeader } from './lua-lib'

const source = `--[[ init-product: load a product's counters if Redis does not have them
(init-if-absent: a live product is never overwritten), with the units each
user has bought (the purchase limit) as Postgres's orders count them. What
Redis still has of the product is counted, never trusted: reserved from the
holds, pending from the pending checkouts.

${productKeysHeader()}

ARGV[1]  total stock, integer >= 0
ARGV[2]  sold in Postgres, integer >= 0
ARGV[3]  price in cents, '' when none
ARGV[4]  max per user, '' when none
ARGV[5]  sale starts at, ms, '' when none
ARGV[6]  sale ends at, ms, '' when none
ARGV[7]  product name (status answers it without asking Postgres)
ARGV[8]  Postgres's stock_version of the total
ARGV[9]  waiting room: admits per second, '' when none
ARGV[10] waiting room: how long an admitted shopper's turn lasts, ms, '' when none
ARGV[11] Postgres's waiting_room_version of those two
ARGV[12] 'create'; or 'bought' to only load a first chunk of bought units (a
         product with many buyers is loaded in several calls, the last one
         'create'); or 'merge' to reload bought units into a live product
then two per bought pair i = 1..n (possibly none):
ARGV[2i+11] user id
ARGV[2i+12] units that user bought (Postgres's orders)

Returns
  1    created
  0    nothing created (already loaded, or a 'bought'/'merge' call); a
       'create' of a live product whose bought counts were lost reloads them
Bought units are merged by maximum (with the user's pending units added), so
a count that moved on in Redis is never lowered; the hash keeps a '' field
once loaded, so an empty one is told from a lost one. Pending checkouts count in
sold as well as in pending: one Postgres has already recorded is counted
twice (never oversold) until the reconciler's next run, and sold is capped at
the total (what is truly sold never exceeds it, so the cap only trims the
double count and available never reads below 0). Holds that outlived
their product hash are kept when they fit (sold + reserved <= total);
otherwise they are all dropped.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}
local p = product_keys(1)
local mode = ARGV[12]
local exists = redis.call('EXISTS', p.k_product) == 1
-- A live product is only touched to reload bought counts that were lost.
if exists and mode == 'bought' then return 0 end
if exists and mode == 'create' and redis.call('EXISTS', p.k_bought) == 1 then return 0 end

local pending, pending_of = 0, {}
local entries = redis.call('HVALS', p.k_pending)
for _, v in ipairs(entries) do
  local user, qty = string.match(v, '^([^|]*)|(%d+)|')
  qty = tonumber(qty) or 0
  pending = pending + qty
  pending_of[user] = (pending_of[user] or 0) + qty
end
local target = {}
for i = 13, #ARGV, 2 do target[ARGV[i]] = tonumber(ARGV[i + 1]) end
for user, qty in pairs(pending_of) do target[user] = (target[user] or 0) + qty end
for user, units in pairs(target) do
  if units > (tonumber(redis.call('HGET', p.k_bought, user)) or 0) then
    redis.call('HSET', p.k_bought, user, units)
  end
end
-- The '' field (no user id is empty) marks the counts as loaded even when no one has bought.
if mode == 'merge' or ARGV[4] ~= '' then redis.call('HSETNX', p.k_bought, '', 0) end
if mode ~= 'create' or exists then return 0 end

local total = tonumber(ARGV[1])
local sold = math.min(total, tonumber(ARGV[2]) + pending)
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', p.k_exp, '-inf', now)
if #expired > 0 then
  call_chunked('HDEL', p.k_hold, expired)
  redis.call('ZREMRANGEBYSCORE', p.k_exp, '-inf', now)
end
local reserved, by_addr = 0, {}
local holds = redis.call('HGETALL', p.k_hold)
for i = 2, #holds, 2 do
  local qty, _, addr = parse_hold(holds[i])
  reserved = reserved + qty
  if addr ~= '' then by_addr[addr] = (by_addr[addr] or 0) + qty end
end
redis.call('DEL', p.k_addr)
if sold + reserved > total then
  redis.call('DEL', p.k_exp, p.k_hold)
  reserved = 0
else
  for addr, qty in pairs(by_addr) do redis.call('HSET', p.k_addr, addr, qty) end
end

redis.call('HSET', p.k_product, 'total', total, 'sold', sold, 'reserved', reserved, 'pending', pending,
  'price', ARGV[3], 'max_per_user', ARGV[4], 'sale_starts_at', ARGV[5], 'sale_ends_at', ARGV[6],
  'name', ARGV[7], 'total_version', ARGV[8], 'wr_rate', ARGV[9], 'wr_ttl', ARGV[10], 'wr_version', ARGV[11])
return 1
`

export const initProductScript: LuaScript = {
  name: 'init-product',
  source,
  sha: 'abacaae0759850c7682257686286d66c11db0ea1',
}
