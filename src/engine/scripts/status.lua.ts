import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, LINE, NOW_MS, PRODUCT, productKeysHeader, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ status: a product's live counters, after purging its expired holds, and
its waiting room.

${productKeysHeader()}
KEYS[7]   the waiting room's line  {P}:p:<id>:q        hash user -> place, and the line's fields

ARGV     none

Returns
  {'OK', total, sold, reserved, name, admits_per_second, turn_ms, waiting}
      reserved = units of unexpired holds; admits_per_second and turn_ms
      are '' without a waiting room; waiting = places in line not admitted yet
      (0 without a waiting room)
  {'NOT_LOADED'}
Every expired hold of the product is purged first (not one batch), so the
counters are exact.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}${LINE}
local p = product_keys(1)
local f = redis.call('HMGET', KEYS[1], 'total', 'sold', 'reserved', 'name', 'wr_rate', 'wr_ttl')
if not f[1] then return {'NOT_LOADED'} end
local now = now_ms()
local _, units = purge_expired(p, now, math.huge)
local rate = tonumber(f[5])
local waiting = 0
if rate then
  local line = open_line(KEYS[7])
  waiting = line.joined - admitted(line, rate, now)
end
return {'OK', tonumber(f[1]) or 0, tonumber(f[2]) or 0, (tonumber(f[3]) or 0) - units, f[4] or '',
  rate or '', tonumber(f[6]) or '', waiting}
`

export const statusScript: LuaScript = {
  name: 'status',
  source,
  sha: 'c4da2503c5b02841fe263ba12ad573dedec5f3bf',
}
