import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS } from './lua-lib'

const source = `--[[ list-holds: one user's unexpired holds, from the user's index alone.
Index entries whose expiry has passed are dropped on the way.

KEYS[1]  user index               {P}:u:<user>      hash product -> "qty|expiry ms|may buy more"

ARGV     none

Returns
  {product_id_1, qty_1, expires_at_ms_1, may_buy_more_1, product_id_2, ...}
      flat quadruples sorted by expiry ascending (then product id), only
      expiries > now; may_buy_more is '' for a product without max_per_user
]]
${NOW_MS}${CALL_CHUNKED}
local k_index = KEYS[1]
local now = now_ms()

local fields = redis.call('HGETALL', k_index)
local live, stale = {}, {}
for i = 1, #fields, 2 do
  local qty, expires, more = string.match(fields[i + 1], '^(%d+)|(%d+)|?(%d*)$')
  expires = tonumber(expires)
  if expires and expires > now then
    live[#live + 1] = {fields[i], tonumber(qty), expires, more}
  else
    stale[#stale + 1] = fields[i]
  end
end
if #stale > 0 then call_chunked('HDEL', k_index, stale) end

table.sort(live, function(a, b)
  if a[3] ~= b[3] then return a[3] < b[3] end
  return tonumber(a[1]) < tonumber(b[1])
end)
local reply = {}
for _, h in ipairs(live) do
  reply[#reply + 1] = h[1]
  reply[#reply + 1] = h[2]
  reply[#reply + 1] = h[3]
  reply[#reply + 1] = h[4]
end
return reply
`

export const listHoldsScript: LuaScript = {
  name: 'list-holds',
  source,
  sha: 'ef9f91329c8ded3f45551ba1ccde80dc2e360de5',
}
