import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, LINE, NOW_MS, OPEN_PRODUCT, PRODUCT, productKeysHeader, PURGE_EXPIRED, SYNC_LINE } from './lua-lib'

const source = `--[[ queue-poll: where one place in a product's waiting room stands. The
place is the ticket's (epoch, seq): no per-ticket key is read. The line
pauses when the product has nothing available (or its sale is over) and
goes on when it has again.

${productKeysHeader()}
KEYS[7]   the waiting room's line  {P}:p:<id>:q        hash user -> place, and the line's fields
KEYS[8]   places per address       {P}:p:<id>:qa       hash address -> places taken

ARGV[1]  the ticket's line epoch, ms
ARGV[2]  the ticket's place (seq)

Returns
  {'WAITING', position, wait_ms}   not admitted yet: position = places not admitted up to
                                   and including this one; wait_ms until it is admitted
  {'ADMITTED', turn_ends_ms}       admitted, and the turn lasts until then
  {'EXPIRED'}                      admitted, and the turn is over
  {'SOLD_OUT', position}           the line is paused: nothing is available, or the sale is over
  {'GONE'}                         the ticket's line is not this one (it was let go or lost)
  {'NO_WAITING_ROOM'}
  {'NOT_LOADED'}
A batch of the product's expired holds is purged first, and as many more as
it takes to tell whether anything is available.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}${OPEN_PRODUCT}${LINE}${SYNC_LINE}
local k_line, k_places = KEYS[7], KEYS[8]
local epoch, seq = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = now_ms()

local p = product_keys(1)
if not read_product(p) then return {'NOT_LOADED'} end
local rate, turn_ms = p.room, p.turn_ms or 0
if not rate then return {'NO_WAITING_ROOM'} end
local line = open_line(k_line)
if line.epoch ~= epoch or seq > line.joined then return {'GONE'} end
open_product(p, now)
sync_line(k_line, k_places, line, rate, now, line_open(p, now), turn_ms)

local f = admitted(line, rate, now)
if not line.clock then return {'SOLD_OUT', math.max(seq - f, 0)} end
if seq > f then return {'WAITING', seq - f, admitted_at(line, rate, seq) - now} end
local ends = admitted_at(line, rate, seq) + turn_ms
if now < ends then return {'ADMITTED', ends} end
return {'EXPIRED'}
`

export const queuePollScript: LuaScript = {
  name: 'queue-poll',
  source,
  sha: '9c3064a31667435d9093657bf8388e4e8d05d08e',
}
