import type { LuaScript } from '../run-script'
import { LINE, NOW_MS } from './lua-lib'

const source = `--[[ waiting-room: sets a live product's waiting room as Postgres committed
it (admits per second and turn length, or none), unless Redis already has a
later version. What the line admitted at the old rate stays admitted; the
new rate counts from now; without a waiting room the line pauses (its places
are kept, and it goes on if one is set again).

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  the waiting room's line  {P}:p:<id>:q        hash user -> place, and the line's fields
KEYS[3]  places per address       {P}:p:<id>:qa       hash address -> places taken

ARGV[1]  admits per second, '' for no waiting room
ARGV[2]  how long an admitted shopper's turn lasts, ms, '' for no waiting room
ARGV[3]  Postgres's waiting_room_version of these

Returns
  {'OK'}
  {'STALE'}        Redis has a later version: nothing changed
  {'NOT_LOADED'}   no product hash: nothing to do (hydration loads Postgres's)
]]
${NOW_MS}${LINE}
local k_product, k_line, k_places = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', k_product) == 0 then return {'NOT_LOADED'} end
local f = redis.call('HMGET', k_product, 'wr_rate', 'wr_version')
if tonumber(ARGV[3]) < (tonumber(f[2]) or 0) then return {'STALE'} end
local old, rate, turn_ms = tonumber(f[1]), tonumber(ARGV[1]), tonumber(ARGV[2])
local now = now_ms()
local line = open_line(k_line)
if line.epoch then
  rebase_line(k_line, line, old, now, line.clock ~= nil and rate ~= nil)
  keep_line(k_line, k_places, line, rate, turn_ms)
end
redis.call('HSET', k_product, 'wr_rate', ARGV[1], 'wr_ttl', ARGV[2], 'wr_version', ARGV[3])
return {'OK'}
`

export const waitingRoomScript: LuaScript = {
  name: 'waiting-room',
  source,
  sha: 'bcec0f691b6b1454859b51ac6ccb005cc7ef1a47',
}
