import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PRODUCT, productKeysHeader, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ stock-edit: change a product's total stock, one edit at a time, so the
value Postgres commits is the value Redis keeps. An edit begins here (a lease
on the product, and a reduction applied at once: the stricter store first),
commits in Postgres, and ends here with what Postgres committed.

${productKeysHeader()}

ARGV[1]  'begin' or 'end'
ARGV[2]  the edit's token (a request's own random id)
ARGV[3]  begin: the new total; end: the total Postgres now has ('' when Postgres did not answer)
ARGV[4]  begin: lease length, ms; end: Postgres's stock_version of that total

Returns
  begin  {'OK', previous_total}
         {'BUSY', lease_ends_ms}          another edit holds the lease
         {'BELOW_COMMITTED', sold + reserved}
         {'NOT_LOADED'}
  end    {'OK'}                           the lease is released; Redis keeps the committed
                                          total unless a later version is already there
A begin never leaves total below sold + reserved. Without an answer from
Postgres, end keeps the stricter of the two totals and the reconciler sets
Postgres's value later.
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}
local p = product_keys(1)
local mode, token = ARGV[1], ARGV[2]
if redis.call('EXISTS', p.k_product) == 0 then
  if mode == 'end' then return {'OK'} end
  return {'NOT_LOADED'}
end
local now = now_ms()

if mode == 'begin' then
  local total = tonumber(ARGV[3])
  local lease = redis.call('HMGET', p.k_product, 'edit', 'edit_until')
  if lease[1] and lease[1] ~= token and (tonumber(lease[2]) or 0) > now then return {'BUSY', tonumber(lease[2])} end
  purge_expired(p, now, math.huge)
  local f = redis.call('HMGET', p.k_product, 'total', 'sold', 'reserved')
  local previous = tonumber(f[1]) or 0
  local committed = (tonumber(f[2]) or 0) + (tonumber(f[3]) or 0)
  if total < committed then return {'BELOW_COMMITTED', committed} end
  redis.call('HSET', p.k_product, 'edit', token, 'edit_until', now + tonumber(ARGV[4]))
  if total < previous then
    redis.call('HSET', p.k_product, 'total', total)
    redis.call('HINCRBY', p.k_product, 'settled', 1)
  end
  return {'OK', previous}
end

if redis.call('HGET', p.k_product, 'edit') == token then redis.call('HDEL', p.k_product, 'edit', 'edit_until') end
if ARGV[3] ~= '' then
  local version = tonumber(ARGV[4])
  if version >= (tonumber(redis.call('HGET', p.k_product, 'total_version')) or 0) then
    redis.call('HSET', p.k_product, 'total', ARGV[3], 'total_version', version)
    redis.call('HINCRBY', p.k_product, 'settled', 1)
  end
end
return {'OK'}
`

export const stockEditScript: LuaScript = {
  name: 'stock-edit',
  source,
  sha: '21f69e35212912bc0bd18ce1a5ad668002123f5d',
}
