import { COUNTED_WINDOW_MS } from '../support/client'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ioredisPort } from '../../src/engine/adapters/ioredis'
import { createEngine } from '../../src/engine/engine'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { dropPrefix, REDIS_URL } from '../support/redis'

// Exact counts need the local servers' counters to ourselves: this file has its own.
let h: NodeHarness
beforeAll(async () => {
  h = await startNodeHarness('costs')
})
afterAll(() => h?.close())

async function product(total_stock: number) {
  const res = await h.api.call('POST', '/api/products', { name: 'Counted', total_stock })
  expect(res.status).toBe(201)
  return res.body.data.id as string
}

/** Redis commands and Postgres queries one API call costs. */
async function cost(call: () => Promise<{ status: number }>, expectedStatus: number) {
  h.stack.upstash.resetStats()
  h.stack.neon.resetStats()
  const res = await call()
  expect(res.status).toBe(expectedStatus)
  const redis = h.stack.upstash.stats()
  const pg = h.stack.neon.stats()
  return { redis: redis.commands, byCommand: redis.byCommand, postgres: pg.queries + pg.batches }
}

// Shopper writes are limited inside their engine script: one EVALSHA in all.
// Reads also pass the per-address limiter: one more EVALSHA (@upstash/ratelimit's script).
describe('cost per call once the product is in Redis', () => {
  it('reserve, bulk and cancel, admitted or refused: one EVALSHA; status and listing: engine + limiter; no Postgres', async () => {
    const [a, b] = [await product(10), await product(10)]
    await h.api.call('GET', `/api/products/${a}/status`) // scripts cached, as in steady state
    const u = 'cost-user'
    const calls: [string, () => Promise<{ status: number }>, number, number][] = [
      ['reserve', () => h.api.call('POST', '/api/reserve', { user_id: u, product_id: a, quantity: 1 }), 201, 1],
      ['bulk', () => h.api.call('POST', '/api/reserve/bulk', { user_id: u, items: [{ product_id: b, quantity: 1 }] }), 201, 1],
      ['status', () => h.api.call('GET', `/api/products/${a}/status`), 200, 2],
      ['listing', () => h.api.call('GET', `/api/users/${u}/reservations`), 200, 2],
      ['cancel', () => h.api.call('DELETE', `/api/reserve/${u}/${a}`), 200, 1],
      ['refused reserve', () => h.api.call('POST', '/api/reserve', { user_id: u, product_id: a, quantity: 11 }), 409, 1],
    ]
    for (const [name, call, status, evalsha] of calls) {
      const spent = await cost(call, status)
      expect({ name, ...spent }).toEqual({ name, redis: evalsha, byCommand: { EVALSHA: evalsha }, postgres: 0 })
    }
  })

  it('the write limits cost nothing extra: admitted or refused, one command; a remembered refusal, none', async () => {
    const id = await product(1)
    const api = h.api.withConfig({ RATE_LIMIT_MAX_REQUESTS: '3', RATE_LIMIT_WINDOW_MS: COUNTED_WINDOW_MS })
    const from = { 'cf-connecting-ip': '192.0.2.77' }
    const reserve = (user: string) => () => api.call('POST', '/api/reserve', { user_id: user, product_id: id, quantity: 1 }, from)
    await api.call('GET', `/api/products/${id}/status`) // scripts cached
    expect(await cost(reserve('limit-a'), 201)).toMatchObject({ redis: 1, postgres: 0 })
    expect(await cost(reserve('limit-b'), 409)).toMatchObject({ redis: 1, postgres: 0 }) // sold out: refused by the engine
    expect(await cost(reserve('limit-c'), 409)).toMatchObject({ redis: 1, postgres: 0 })
    expect(await cost(reserve('limit-d'), 429)).toMatchObject({ redis: 1, postgres: 0 }) // the window is full
    expect(await cost(reserve('limit-e'), 429)).toMatchObject({ redis: 0, postgres: 0 }) // remembered in the isolate
    expect(await cost(() => api.call('DELETE', `/api/reserve/limit-a/${id}`, undefined, from), 429)).toMatchObject({ redis: 0 })
  })

  it('a product missing from Redis costs one Postgres query to hydrate, then one retry', async () => {
    const id = await product(5)
    await h.api.call('GET', `/api/products/${id}/status`)
    await dropNamespace()
    const spent = await cost(() => h.api.call('POST', '/api/reserve', { user_id: 'late', product_id: id, quantity: 1 }), 201)
    expect(spent.postgres).toBe(1)
    expect(spent.byCommand).toEqual({ EVALSHA: 3 }) // reserve → NOT_LOADED (no window counted), init, reserve
  })
})

describe('Redis flushed mid-run', () => {
  it('rehydrates products from Postgres and answers correctly, never 500', async () => {
    const id = await product(8)
    expect((await h.api.call('POST', '/api/reserve', { user_id: 'f1', product_id: id, quantity: 3 })).status).toBe(201)
    await dropNamespace()
    const status = await h.api.call('GET', `/api/products/${id}/status`)
    expect(status.status).toBe(200)
    // Active holds are the one thing a flush loses (docs/architecture.md); sold comes back from Postgres.
    expect(status.body.data).toMatchObject({ total_stock: 8, sold: 0, reserved_stock: 0, available_stock: 8 })
    expect((await h.api.call('GET', '/api/users/f1/reservations')).body.data).toEqual([])
    expect((await h.api.call('DELETE', `/api/reserve/f1/${id}`)).status).toBe(404)
    await dropNamespace()
    expect((await h.api.call('POST', '/api/reserve', { user_id: 'f2', product_id: id, quantity: 8 })).status).toBe(201)
    await dropNamespace()
    const bulk = await h.api.call('POST', '/api/reserve/bulk', { user_id: 'f3', items: [{ product_id: id, quantity: 2 }] })
    expect(bulk.status).toBe(201)
  })
})

describe('expiry at scale (real waiting)', () => {
  it('10,000 lapsed holds on one product, then one reserve of the whole stock in a single call', async () => {
    const fast = h.api.withConfig({ REDIS_TTL: '2' })
    const id = Number(await product(10_000))
    await fast.call('GET', `/api/products/${id}/status`)
    // 10,000 holds made straight through the engine (faster than 10,000 HTTP calls), same namespace and TTL.
    const redis = new Redis(REDIS_URL)
    try {
      const engine = createEngine(ioredisPort(redis), { prefix: h.prefix, holdSeconds: 2, holdMaxSeconds: 4 })
      for (let i = 0; i < 10_000; i += 500) {
        const batch = Array.from({ length: 500 }, (_, j) => engine.reserve(`mass-${i + j}`, id, 1))
        expect((await Promise.all(batch)).every((r) => r.ok)).toBe(true)
      }
    } finally {
      redis.disconnect()
    }
    expect((await fast.call('GET', `/api/products/${id}/status`)).body.data.available_stock).toBe(0)
    await new Promise((r) => setTimeout(r, 2200))
    const spent = await cost(() => fast.call('POST', '/api/reserve', { user_id: 'whale', product_id: id, quantity: 10_000 }), 201)
    expect(spent.byCommand).toEqual({ EVALSHA: 1 }) // the one reserve (limits included) that purges 10,000 holds
    expect((await fast.call('GET', `/api/products/${id}/status`)).body.data).toMatchObject({ reserved_stock: 10_000, available_stock: 0 })
  })
})

/** What a FLUSHDB does to this namespace; the shared Redis of other tests is left alone. */
const dropNamespace = () => dropPrefix(h.prefix)
