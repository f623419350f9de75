import type { Redis } from 'ioredis'
import { createKeys } from '../../src/engine'
import { addProduct, benchEngine, buildHolds, keyBytes, usedMemory } from '../lib/engine'
import type { BenchEnv } from '../lib/env'
import { alternate, msSince, ratio, round, type Latency } from '../lib/stats'
import { explain, target } from '../lib/target'
import type { Profile, ScenarioResult } from '../lib/types'

const [EMPTY, LOADED] = [1, 2]
const LIST_PRODUCTS = 50
const LIST_FIRST = 100 // products 100 … 149 for the listing users

/**
 * Scenario 3: does the reserve slow down when one product has many active
 * holds, what does a hold cost in memory, and does listing grow with a user's
 * holds. Latencies are of one call at a time (no queueing in them).
 */
export async function scale(env: BenchEnv, profile: Profile): Promise<ScenarioResult> {
  const prefix = env.prefix('scale')
  const b = benchEngine(env.redisUrl, prefix)
  const n = profile.scaleHolds
  try {
    const { engine, redis } = b
    await addProduct(engine, EMPTY, 1_000_000_000)
    await addProduct(engine, LOADED, 1_000_000_000)
    await engine.release('nobody', EMPTY) // caches the release script
    await engine.reserve('warm', EMPTY, 1)
    await engine.release('warm', EMPTY)

    const before = await usedMemory(redis)
    const t0 = process.hrtime.bigint()
    await buildHolds(b, LOADED, n, { users: 'h', holdMs: 3_600_000 })
    const buildSeconds = round(msSince(t0) / 1000)
    const after = await usedMemory(redis)
    const bytesPerHold = Math.round((after - before) / n)
    const crossCheck = await memoryUsagePerHold(redis, prefix, LOADED, n)

    // Each sample: one timed reserve by a new user, then its release (untimed), so both products stay as they are.
    const sample = (product: number, user: string) => async (i: number) => {
      const t = process.hrtime.bigint()
      const r = await engine.reserve(`${user}-${i}`, product, 1)
      const ms = msSince(t)
      if (!r.ok || !(await engine.release(`${user}-${i}`, product)).ok) throw new Error(`scale sample failed: ${JSON.stringify(r)}`)
      return ms
    }
    const [empty, loaded] = await alternate(profile.latencySamples, sample(EMPTY, 'e'), sample(LOADED, 'l'))

    // Listing: a user with one hold against one with 50 (on 50 products).
    for (let p = 0; p < LIST_PRODUCTS; p++) {
      await addProduct(engine, LIST_FIRST + p, 1000)
      await engine.reserve('many', LIST_FIRST + p, 1)
    }
    await engine.reserve('one', LIST_FIRST, 1)
    const list = (user: string, expect: number) => async () => {
      const t = process.hrtime.bigint()
      const holds = await engine.listHolds(user)
      const ms = msSince(t)
      if (holds.length !== expect) throw new Error(`listing ${user}: ${holds.length} holds, not ${expect}`)
      return ms
    }
    const listSamples = Math.min(profile.latencySamples, 1000)
    const [listOne, listMany] = await alternate(listSamples, list('one', 1), list('many', LIST_PRODUCTS))

    const row = (name: string, l: Latency) => [name, l.n, l.p50, l.p99, l.max]
    return {
      id: 'scale',
      title: `Scale: ${n.toLocaleString('en-US')} active holds on one product (engine, ioredis, one call at a time)`,
      tables: [
        {
          title: 'latency, ms',
          columns: ['call', 'samples', 'p50', 'p99', 'max'],
          rows: [
            row('reserve, product with 0 holds', empty),
            row(`reserve, product with ${n.toLocaleString('en-US')} holds`, loaded),
            row('list reservations, user with 1 hold', listOne),
            row(`list reservations, user with ${LIST_PRODUCTS} holds`, listMany),
          ],
        },
        {
          title: 'memory per active hold (each hold by its own user: product entries + the user index)',
          columns: ['measure', 'bytes/hold'],
          rows: [
            ['INFO used_memory after - before, ÷ N', bytesPerHold],
            ['MEMORY USAGE of the keys (product keys + sampled user index keys)', crossCheck.total],
            ['  of which the product (expiry zset + hold hash)', crossCheck.product],
            ['  of which the user index (one hash key per user)', crossCheck.user],
          ],
        },
      ],
      targets: [
        explain(
          target('scale.p99', `reserve p99: ${n.toLocaleString('en-US')} holds ÷ 0 holds`, ratio(loaded.p99, empty.p99), '<=', 1.5),
          'no O(N) step is in the reserve script (ZRANGEBYSCORE with LIMIT, ZADD: O(log N)); a miss here is noise of the shared machine',
        ),
        explain(
          target('scale.memory', 'Redis memory per active hold', bytesPerHold, '<=', 200, ' B'),
          `the product's expiry zset and hold hash take ${crossCheck.product} B per hold and each holder's index key ${crossCheck.user} B ` +
            '(key, TTL and encoding overhead of small keys); INFO also counts allocator overhead',
        ),
      ],
      data: {
        holds: n,
        buildSeconds,
        buildRate: Math.round(n / buildSeconds),
        empty,
        loaded,
        memory: { before, after, bytesPerHold, crossCheck },
        listOne,
        listMany,
      },
    }
  } finally {
    b.close()
    await env.drop(prefix)
  }
}

/** The same from MEMORY USAGE: the product's hold keys whole, the users' index keys from a sample. */
async function memoryUsagePerHold(redis: Redis, prefix: string, productId: number, n: number) {
  const keys = createKeys(prefix)
  const p = keys.product(productId)
  const usage = (key: string) => keyBytes(redis, key)
  const product = (await usage(p.exp)) + (await usage(p.hold))
  const SAMPLE = 200
  let user = 0
  for (let i = 0; i < SAMPLE; i++) {
    user += await usage(keys.userIndex(`h-${Math.floor((i * n) / SAMPLE)}`))
  }
  const perUser = user / SAMPLE
  return { product: Math.round(product / n), user: Math.round(perUser), total: Math.round(product / n + perUser) }
}
