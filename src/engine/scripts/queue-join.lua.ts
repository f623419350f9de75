import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, GUARD, LINE, NOW_MS, OPEN_PRODUCT, PRODUCT, productKeysHeader, PURGE_EXPIRED, SYNC_LINE } from './lua-lib'

const source = `--[[ queue-join: a user takes a place in a product's waiting room, or is
given back the place they have (while it waits or its turn lasts; after the
turn, a new place at the back). Places are numbered in order of arrival; the
write limits are checked first, in the same step.

${productKeysHeader()}
KEYS[7]   the waiting room's line  {P}:p:<id>:q        hash user -> place, and the line's fields
KEYS[8]   places per address       {P}:p:<id>:qa       hash address -> places taken
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
it takes to tell whether anything is available.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}${OPEN_PRODUCT}${GUARD}${LINE}${SYNC_LINE}
local k_line, k_places = KEYS[7], KEYS[8]
local user, client_addr, max_addr = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = now_ms()

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

local seq = line.epoch and tonumber(redis.call('HGET', k_line, user))
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
redis.call('HSET', k_line, user, line.joined, '#joined', line.joined)
if counted then redis.call('HINCRBY', k_places, client_addr, 1) end
keep_line(k_line, k_places, line, rate, turn_ms)
return place(line.joined)
`

export const queueJoinScript: LuaScript = {
  name: 'queue-join',
  source,
  sha: '9fae2aa10c4cf85f693d0f68ed53669bcbeb5c2a',
}
