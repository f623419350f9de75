import { COUNTED_WINDOW_MS } from '../support/client'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ioredisPort } from '../../src/engine/adapters/ioredis'
import { createEngine } from '../../src/engine/engine'
import { createKeys } from '../../src/engine/keys'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { REDIS_URL } from '../support/redis'

// What the waiting room costs: Redis commands per call (the local Upstash
// server's own count; this file has its counters to itself) and Redis bytes
// per queued shopper (MEMORY USAGE of the line's keys).
let h: NodeHarness
let redis: Redis
beforeAll(async () => {
  h = await startNodeHarness('qcost')
  redis = new Redis(REDIS_URL)
})
afterAll(async () => {
  redis?.disconnect()
  await h?.close()
})

async function product(fields: Record<string, unknown>) {
  const res = await h.api.call('POST', '/api/products', { name: 'Counted line', total_stock: 10, ...fields })
  expect(res.status).toBe(201)
  return res.body.data.id as string
}

/** Redis commands and Postgres queries one API call costs, and its answer. */
async function cost(call: () => Promise<{ status: number; body: any }>, expectedStatus: number) {
  h.stack.upstash.resetStats()
  h.stack.neon.resetStats()
  const res = await call()
  expect(res.status, JSON.stringify(res.body)).toBe(expectedStatus)
  const pg = h.stack.neon.stats()
  return { byCommand: h.stack.upstash.stats().byCommand, postgres: pg.queries + pg.batches, body: res.body }
}
/** The same form, one full character of the signature changed. */
const forge = (token: string) => `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`
const ONE = { byCommand: { EVALSHA: 1 }, postgres: 0 }
const NONE = { byCommand: {}, postgres: 0 }

describe('cost per call', () => {
  it('join and poll are one Redis command each, admitted or refused; a bad token or ticket costs none', async () => {
    const id = await product({ waiting_room: { admit_per_second: 10_000 } })
    const plain = await product({})
    const join =
      (user_id: string, on = id) =>
      () =>
        h.api.call('POST', `/api/products/${on}/queue`, { user_id })
    await h.api.call('GET', `/api/products/${id}/status`) // scripts cached, as in steady state

    const joined = await cost(join('cost-alice'), 201)
    expect(joined).toMatchObject(ONE)
    expect(await cost(join('cost-alice'), 201)).toMatchObject(ONE) // the same place again
    expect(await cost(join('cost-bob', plain), 409)).toMatchObject(ONE) // NO_WAITING_ROOM
    const ticket = joined.body.data.ticket as string
    const poll =
      (t = ticket) =>
      () =>
        h.api.call('GET', `/api/products/${id}/queue/${t}`)
    await new Promise((r) => setTimeout(r, 20))
    const admitted = await cost(poll(), 200)
    expect(admitted).toMatchObject(ONE)
    expect(admitted.body.data.status).toBe('admitted')
    expect(await cost(poll(forge(ticket)), 404)).toMatchObject(NONE)
    expect(await cost(poll(`${ticket.slice(0, -1)}${ticket.endsWith('A') ? 'B' : 'A'}`), 404)).toMatchObject(NONE) // another text of it

    const token = admitted.body.data.admission_token as string
    const reserve = (headers: Record<string, string>) => () =>
      h.api.call('POST', '/api/reserve', { user_id: 'cost-alice', product_id: id, quantity: 1 }, headers)
    expect(await cost(reserve({ 'x-admission-token': token }), 201)).toMatchObject(ONE)
    expect(await cost(reserve({}), 409)).toMatchObject(ONE) // ADMISSION_REQUIRED, said by the reserve script itself
    expect(await cost(reserve({ 'x-admission-token': forge(token) }), 403)).toMatchObject(NONE)
    // A product without a waiting room: the same one command as before.
    expect(await cost(() => h.api.call('POST', '/api/reserve', { user_id: 'cost-carol', product_id: plain, quantity: 1 }), 201)).toMatchObject(ONE)
  })

  it('joins spend the write windows in the same command; a refused client is answered from memory', async () => {
    const api = h.api.withConfig({ RATE_LIMIT_MAX_REQUESTS: '2', RATE_LIMIT_WINDOW_MS: COUNTED_WINDOW_MS })
    const id = await product({ waiting_room: { admit_per_second: 5 } })
    const from = { 'cf-connecting-ip': '192.0.2.88' }
    const join = (user_id: string) => () => api.call('POST', `/api/products/${id}/queue`, { user_id }, from)
    expect(await cost(join('w1'), 201)).toMatchObject(ONE)
    expect(await cost(join('w2'), 201)).toMatchObject(ONE)
    expect(await cost(join('w3'), 429)).toMatchObject(ONE)
    expect(await cost(join('w4'), 429)).toMatchObject(NONE)
  })
})

describe('memory', () => {
  it('a queued shopper costs at most 120 bytes of Redis (the place and its address, MEMORY USAGE)', { timeout: 60_000 }, async () => {
    const N = 20_000
    const engine = createEngine(ioredisPort(redis), {
      prefix: h.prefix,
      holdSeconds: 60,
      holdMaxSeconds: 120,
      limits: { address: { max: 1e6, windowMs: 60_000 }, customer: { max: 1e6, windowMs: 60_000 }, maxHeldPerAddress: 10 },
    })
    const id = 900_001
    await engine.initProduct(id, {
      name: 'Measured line',
      total: 1000,
      sold: 0,
      priceCents: null,
      maxPerUser: null,
      saleStartsAt: null,
      saleEndsAt: null,
      stockVersion: 0,
      waitingRoom: { admitPerSecond: 1, admissionTtlSeconds: 120 },
    })
    // Each shopper from an address of their own (10.x.y.z): the most a line can cost.
    for (let i = 0; i < N; i += 500) {
      const batch = Array.from({ length: 500 }, (_, j) => {
        const n = i + j
        return engine.join(`u-${String(n).padStart(6, '0')}`, id, { address: `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`, customer: `c${n}` })
      })
      expect((await Promise.all(batch)).every((r) => r.ok)).toBe(true)
    }
    const { line, places } = createKeys(h.prefix).line(id)
    const usage = async (key: string) => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'))
    const [forPlaces, forAddresses] = [await usage(line), await usage(places)]
    expect(await redis.hlen(line)).toBe(N + 5) // and the line's own five fields
    expect(await redis.hlen(places)).toBe(N)
    const perShopper = (forPlaces + forAddresses) / N
    console.log(
      `waiting room: ${N} shoppers, ${(forPlaces / N).toFixed(1)} B a place + ${(forAddresses / N).toFixed(1)} B an address = ${perShopper.toFixed(1)} B`,
    )
    expect(perShopper).toBeLessThanOrEqual(120)
  })
})
