import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, EXPIRE_INDEX, NOW_MS, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ release: cancel one user's hold on one product; its units go back on sale.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product hold quantities  {P}:p:<id>:qty    hash user -> qty
KEYS[4]  product hold starts      {P}:p:<id>:start  hash user -> first reserve ms
KEYS[5]  user index               {P}:u:<user>      zset product -> expiry ms
KEYS[6]  user index quantities    {P}:uq:<user>     hash product -> qty

ARGV[1]  user id
ARGV[2]  product id (member of the user index)

Returns
  {'OK', released}       units given back
  {'NO_RESERVATION'}     no unexpired hold
  {'NOT_LOADED'}         no product hash
Expired holds of the product are purged first, so an expired hold is no
reservation. The user's index entry for the product is dropped in every case.
]]
${NOW_MS}${CALL_CHUNKED}${PURGE_EXPIRED}${EXPIRE_INDEX}
local k_product, k_exp, k_qty, k_start = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local k_index, k_index_qty = KEYS[5], KEYS[6]
local user, product_id = ARGV[1], ARGV[2]

local function drop_index_entry()
  redis.call('ZREM', k_index, product_id)
  redis.call('HDEL', k_index_qty, product_id)
  expire_index(k_index, k_index_qty)
end

if redis.call('EXISTS', k_product) == 0 then
  drop_index_entry()
  return {'NOT_LOADED'}
end
purge_expired(k_product, k_exp, k_qty, k_start, now_ms())

local held = tonumber(redis.call('HGET', k_qty, user))
drop_index_entry()
if not held then return {'NO_RESERVATION'} end

redis.call('HDEL', k_qty, user)
redis.call('HDEL', k_start, user)
redis.call('ZREM', k_exp, user)
redis.call('HINCRBY', k_product, 'reserved', -held)
return {'OK', held}
`

export const releaseScript: LuaScript = {
  name: 'release',
  source,
  sha: 'd055a997f19d49dce9e0bda90bed8fbc5703e0ad',
}
