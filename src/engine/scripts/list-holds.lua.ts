import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS } from './lua-lib'

const source = `--[[ list-holds: one user's unexpired holds, from the user's index alone.
Index entries whose expiry has passed are dropped on the way.

KEYS[1]  user index               {P}:u:<user>      zset product -> expiry ms
KEYS[2]  user index quantities    {P}:uq:<user>     hash product -> qty

ARGV     none

Returns
  {product_id_1, qty_1, expires_at_ms_1, product_id_2, ...}
      flat triples sorted by expiry ascending, only expiries > now
]]
${NOW_MS}${CALL_CHUNKED}
local k_index, k_index_qty = KEYS[1], KEYS[2]
local now = now_ms()

local stale = redis.call('ZRANGEBYSCORE', k_index, '-inf', now)
if #stale > 0 then
  call_chunked('HDEL', k_index_qty, stale)
  redis.call('ZREMRANGEBYSCORE', k_index, '-inf', now)
end

local live = redis.call('ZRANGE', k_index, 0, -1, 'WITHSCORES')
local reply = {}
for i = 1, #live, 2 do
  local qty = tonumber(redis.call('HGET', k_index_qty, live[i]))
  if qty then
    reply[#reply + 1] = live[i]
    reply[#reply + 1] = qty
    reply[#reply + 1] = tonumber(live[i + 1])
  end
end
return reply
`

export const listHoldsScript: LuaScript = {
  name: 'list-holds',
  source,
  sha: '7dfeabe9a9337f72d4e159aa5d28ab90daaccb19',
}
