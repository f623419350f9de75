import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, GUARD, LINE, NOW_MS, OPEN_PRODUCT, PRODUCT, productKeysHeader, PURGE_EXPIRED, SYNC_LINE } from './lua-lib'

const source = `--[[ queue-join: a user takes a place in a product's waiting room, or is
given back the place they have (while it waits or its turn lasts; after the
turn, a new place at the back). Places are numbered in order of arrival; the
write limits are checked first, in the same step.

${productKeysHeader()}
KEYS[7]   the waiting room's line  {P}:p:<id>:q        hash user -> place (base 36), and the line's fields
KEYS[8]   places per address       {P}:p:<id>:qa       hash address (packed) -> places taken
KEYS[9]   address write window     {P}:rl:a:<address>
KEYS[10]  customer write window    {P}:rl:c:<customer>

ARGV[1]  user id
ARGV[2]  client address a new place counts against, '' for none
ARGV[3]  most places one address may take in the line, 0 = no limit
ARGV[4]  address window: most writes ('' = no write limits)
ARGV[5]  address window length, ms
ARGV[6]  customer window: most writes
ARGV[7]  customer window length, ms

Returns {scope, remaining, reset_ms, ...}: the tighter write window, as
reserve does, then one of
  'OK', epoch, seq, status, position, wait_ms
        the place: epoch = when this line began (ms), seq = the place's
        number; status 'waiting' (position = places not admitted yet up to and
        including it; wait_ms = until it is admitted, '' while the line is
        paused) or 'admitted' (its turn lasts: position 0, wait_ms 0)
  'NOT_LOADED'                 no product hash: hydrate it and retry (no window counted)
  'RATE_LIMITED'               nothing else was done
  'NO_WAITING_ROOM'            the product has none
  'SALE_NOT_ACTIVE'            now outside [sale_starts_at, sale_ends_at)
  'ADDRESS_LIMIT_EXCEEDED', max_places_per_address, places_taken_by_address
  'SOLD_OUT'                   nothing is available to wait for (a new place only)
A batch of the product's expired holds is purged first, and as many more as
it takes to tell whether anything is available. A place is stored small (a
line of a million costs about 100 bytes a shopper): its number in base 36,
an address as its 4 (IPv4) or 8 (IPv6 /64) bytes.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}${OPEN_PRODUCT}${GUARD}${LINE}${SYNC_LINE}
local k_line, k_places = KEYS[7], KEYS[8]
local user, max_addr = ARGV[1], tonumber(ARGV[3])
local now = now_ms()

local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
local function base36(n)
  local s = ''
  repeat
    local d = n % 36
    s = string.sub(DIGITS, d + 1, d + 1) .. s
    n = (n - d) / 36
  until n == 0
  return s
end
-- A normalized address (src/limits/address.ts) as bytes: a.b.c.d, or the first four groups of an IPv6 /64.
local function packed(addr)
  local v4 = { string.match(addr, '^(%d+)%.(%d+)%.(%d+)%.(%d+)$') }
  if #v4 == 4 then return string.char(tonumber(v4[1]), tonumber(v4[2]), tonumber(v4[3]), tonumber(v4[4])) end
  local v6 = { string.match(addr, '^(%x+):(%x+):(%x+):(%x+)::/64$') }
  if #v6 ~= 4 then return addr end
  local bytes = {}
  for i = 1, 4 do
    local g = tonumber(v6[i], 16)
    bytes[#bytes + 1] = string.char(math.floor(g / 256), g % 256)
  end
  return table.concat(bytes)
end
local client_addr = ARGV[2]
if client_addr ~= '' then client_addr = packed(client_addr) end

local p = product_keys(1)
if not read_product(p) then return with_rate(NO_RATE, {'NOT_LOADED'}) end
local limited, rate_head = guard(KEYS[9], KEYS[10], 4, now)
if limited then return limited end
local rate, turn_ms = p.room, p.turn_ms or 0
if not rate then return with_rate(rate_head, {'NO_WAITING_ROOM'}) end
if (p.starts and now < p.starts) or (p.ends and now >= p.ends) then return with_rate(rate_head, {'SALE_NOT_ACTIVE'}) end
open_product(p, now)
local open = line_open(p, now)
local line = open_line(k_line)
sync_line(k_line, k_places, line, rate, now, open, turn_ms)

local function place(seq)
  local f = admitted(line, rate, now)
  if seq <= f then return with_rate(rate_head, {'OK', line.epoch, seq, 'admitted', 0, 0}) end
  local wait = ''
  if line.clock then wait = admitted_at(line, rate, seq) - now end
  return with_rate(rate_head, {'OK', line.epoch, seq, 'waiting', seq - f, wait})
end

local seq = line.epoch and redis.call('HGET', k_line, user)
seq = seq and tonumber(seq, 36)
if seq and (seq > admitted(line, rate, now) or now < admitted_at(line, rate, seq) + turn_ms) then return place(seq) end
-- A new place; a user whose turn passed is not counted against the address again.
local counted = max_addr > 0 and client_addr ~= '' and not seq
if counted then
  local taken = tonumber(redis.call('HGET', k_places, client_addr)) or 0
  if taken >= max_addr then return with_rate(rate_head, {'ADDRESS_LIMIT_EXCEEDED', max_addr, taken}) end
end
if not open then return with_rate(rate_head, {'SOLD_OUT'}) end

if not line.epoch then
  -- A new line (also after one was lost): the places of any old one no longer count.
  redis.call('DEL', k_places)
  line = { epoch = now, joined = 0, head = 0, clock = now }
  redis.call('HSET', k_line, '#epoch', now, '#head', 0, '#head_at', '', '#clock', now)
elseif admitted(line, rate, now) >= line.joined then
  -- Everyone was admitted: a new stretch begins, with no admissions banked while nobody waited.
  rebase_line(k_line, line, rate, now, true)
end
line.joined = line.joined + 1
redis.call('HSET', k_line, user, base36(line.joined), '#joined', line.joined)
if counted then redis.call('HINCRBY', k_places, client_addr, 1) end
keep_line(k_line, k_places, line, rate, turn_ms)
return place(line.joined)
`

export const queueJoinScript: LuaScript = {
  name: 'queue-join',
  source,
  sha: 'aedb860cd6b7e38d4f2daac2e250f66273156825',
}
