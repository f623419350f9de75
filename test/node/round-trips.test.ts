import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { traceCall, type CallTrace, type StoreSpan } from '../../dev/round-trips'
import { COUNTED_WINDOW_MS, type Reply } from '../support/client'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

// Sequential store round trips per call, counted from the local servers' own
// record of each request (when it arrived, when its answer was written), with
// the stores RTT_MS away so that concurrent requests overlap for sure. The
// latency scenario of `npm run bench` measures the same through workerd.
const RTT_MS = 60

let h: NodeHarness
const spans: StoreSpan[] = []
beforeAll(async () => {
  h = await startNodeHarness('trips', { rttMs: RTT_MS, onRequest: (span) => spans.push(span) })
})
afterAll(() => h?.close())

/** One call's store requests: those answered before the call's answer, and those after it. */
async function traced(call: () => Promise<Reply>): Promise<{ res: Reply; trace: CallTrace }> {
  spans.length = 0
  const res = await call()
  const answeredAt = performance.now()
  // what a call leaves running after its answer (the settle) arrives within this
  await new Promise((resolve) => setTimeout(resolve, 2 * RTT_MS + 100))
  return { res, trace: traceCall([...spans], answeredAt) }
}

describe('store round trips per call, every limit on', () => {
  it('reserve, bulk, cancel, status, listing and product reads: 1; checkout: 2 before the answer, the settle after it', async () => {
    const create = (name: string) => h.api.call('POST', '/api/products', { name, total_stock: 10, price: '1.00' })
    const [a, b] = [(await create('Trip A')).body.data.id, (await create('Trip B')).body.data.id]
    const u = 'trip-user'
    const calls: [string, () => Promise<Reply>, number][] = [
      ['reserve', () => h.api.call('POST', '/api/reserve', { user_id: u, product_id: a, quantity: 2 }), 201],
      ['bulk', () => h.api.call('POST', '/api/reserve/bulk', { user_id: u, items: [{ product_id: b, quantity: 1 }] }), 201],
      ['status', () => h.api.call('GET', `/api/products/${a}/status`), 200],
      ['product', () => h.api.call('GET', `/api/products/${a}`), 200],
      ['listing', () => h.api.call('GET', `/api/users/${u}/reservations`), 200],
      ['cancel', () => h.api.call('DELETE', `/api/reserve/${u}/${b}`), 200],
    ]
    // once to load the scripts and the products into Redis, as in steady state; then counted
    for (const [, call] of calls) await call()
    await h.api.call('POST', '/api/reserve/bulk', { user_id: u, items: [{ product_id: b, quantity: 1 }] })
    for (const [name, call, status] of calls) {
      const { res, trace } = await traced(call)
      expect({ name, status: res.status, beforeAnswer: trace.beforeAnswer, afterAnswer: trace.afterAnswer }).toEqual({
        name,
        status,
        beforeAnswer: 1,
        afterAnswer: 0,
      })
    }
    const { res, trace } = await traced(() => h.api.call('POST', '/api/checkout', { user_id: u, product_id: a, quantity: 2, total_amount: 2 }))
    expect(res.status).toBe(201)
    expect(trace).toMatchObject({ beforeAnswer: 2, afterAnswer: 1, path: 'upstash → neon → (upstash)' })
  })

  it('a read refused by the address limit gets its 429 without the data; a remembered refusal costs no store request', async () => {
    const id = (await h.api.call('POST', '/api/products', { name: 'Trip limited', total_stock: 3 })).body.data.id
    const api = h.api.withConfig({ RATE_LIMIT_MAX_REQUESTS: '1', RATE_LIMIT_WINDOW_MS: COUNTED_WINDOW_MS })
    const from = { 'cf-connecting-ip': '198.51.100.42' }
    const read = () => api.call('GET', `/api/products/${id}/status`, undefined, from)
    const first = await traced(read)
    expect(first.res.status).toBe(200)
    const refused = await traced(read)
    expect(refused.res.status).toBe(429)
    expect(refused.res.body).toMatchObject({ success: false, code: 'RATE_LIMITED' })
    expect(refused.res.body.data).toBeUndefined()
    expect(refused.res.headers.get('retry-after')).toBeTruthy()
    expect(refused.trace.beforeAnswer).toBe(1) // the check ran alongside the read
    const remembered = await traced(read)
    expect(remembered.res.status).toBe(429)
    expect(remembered.trace.requests).toBe(0)
  })
})
