import type { LuaScript } from '../run-script'
import { CALL_CHUNKED, NOW_MS, PRODUCT, PURGE_EXPIRED } from './lua-lib'

const source = `--[[ reconcile: sweep a product's expired holds and report its counters; given
Postgres's numbers, repair Redis's total and sold to match them, but only if
no checkout is pending or has ended since the report (compare-and-set on the
'settled' counter), so a checkout racing the reconciler is never miscounted.

KEYS[1]  product hash             {P}:p:<id>
KEYS[2]  product hold expiries    {P}:p:<id>:exp    zset user -> expiry ms
KEYS[3]  product holds            {P}:p:<id>:hold   hash user -> "qty|first reserve ms|address"
KEYS[4]  units held per address   {P}:p:<id>:addr   hash address -> units
KEYS[5]  units bought per user    {P}:p:<id>:bought (not touched)

ARGV[1]  '' to only sweep and report; else the 'settled' counter of that report
ARGV[2]  sold in Postgres (when repairing)
ARGV[3]  total stock in Postgres (when repairing)

Returns
  {'REPORT', settled, total, sold, reserved, pending, purged}
  {'REPAIRED', total, sold}     Redis now matches Postgres
  {'RACED'}                     a checkout moved on: nothing changed, try next time
  {'NOT_LOADED'}
]]
${NOW_MS}${CALL_CHUNKED}${PRODUCT}${PURGE_EXPIRED}
local p = product_keys(1)
local k_product = KEYS[1]

if redis.call('EXISTS', k_product) == 0 then return {'NOT_LOADED'} end
local purged = purge_expired(p, now_ms(), math.huge)
local f = redis.call('HMGET', k_product, 'settled', 'total', 'sold', 'reserved', 'pending')
local settled, pending = tonumber(f[1]) or 0, tonumber(f[5]) or 0
if ARGV[1] == '' then
  return {'REPORT', settled, tonumber(f[2]) or 0, tonumber(f[3]) or 0, tonumber(f[4]) or 0, pending, purged}
end

if tostring(settled) ~= ARGV[1] or pending ~= 0 then return {'RACED'} end
local sold, total = tonumber(ARGV[2]), tonumber(ARGV[3])
-- Never below what is held: the repair would break sold + reserved <= total.
if sold + (tonumber(f[4]) or 0) > total then return {'RACED'} end
redis.call('HSET', k_product, 'sold', sold, 'total', total)
redis.call('HINCRBY', k_product, 'settled', 1)
return {'REPAIRED', total, sold}
`

export const reconcileScript: LuaScript = {
  name: 'reconcile',
  source,
  sha: '2edddbb7362d5532370c4ae0e45531ee120886df',
}
