import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { recordOrder } from '../../src/db/orders'
import { edgeDeps } from '../../src/deps'
import { reconcile } from '../../src/services/reconcile'
import { apiClient } from '../support/client'
import { expectConserved, sql } from '../support/conservation'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { dropPrefix } from '../support/redis'

let h: NodeHarness
beforeAll(async () => {
  h = await startNodeHarness('faults')
})
afterAll(() => h?.close())

const deadPostgres = () => h.api.withConfig({ NEON_FETCH_ENDPOINT: 'http://127.0.0.1:1/sql' })
const runReconciler = () => reconcile(edgeDeps(h.config), { pendingOlderThanMs: 0 })

async function product(total_stock: number, price: string | null = '2.00') {
  const res = await h.api.call('POST', '/api/products', { name: 'Fault', total_stock, price })
  expect(res.status).toBe(201)
  return res.body.data.id as string
}
const reserve = async (user: string, id: string, quantity: number) =>
  expect((await h.api.call('POST', '/api/reserve', { user_id: user, product_id: id, quantity })).status).toBe(201)
const checkoutBody = (user: string, id: string, quantity: number) => ({ user_id: user, product_id: id, quantity, total_amount: 2 * quantity })
const status = async (id: string) => (await h.api.call('GET', `/api/products/${id}/status`)).body.data

describe('Postgres unreachable during checkout', () => {
  it('answers 503, and the reconciler gives the units back', async () => {
    const id = await product(5)
    await reserve('pg-down', id, 2)
    const res = await deadPostgres().call('POST', '/api/checkout', checkoutBody('pg-down', id, 2))
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBeTruthy()
    expect(res.body).toMatchObject({ success: false, code: 'SERVICE_UNAVAILABLE', error: expect.stringMatching(/postgres/) })
    expect(await status(id)).toMatchObject({ sold: 2, reserved_stock: 0, available_stock: 3 }) // pending

    const report = await runReconciler()
    expect(report).toMatchObject({ pending_given_back: 1, units_given_back: 2 })
    expect(await status(id)).toMatchObject({ sold: 0, available_stock: 5 })
    await expectConserved(h.api, h.db.url, [id])
  })

  it('a retry with the same Idempotency-Key completes the order once Postgres is back', async () => {
    const id = await product(5)
    await reserve('pg-retry', id, 1)
    const key = { 'idempotency-key': 'retry-after-outage' }
    expect((await deadPostgres().call('POST', '/api/checkout', checkoutBody('pg-retry', id, 1), key)).status).toBe(503)
    const retry = await h.api.call('POST', '/api/checkout', checkoutBody('pg-retry', id, 1), key)
    expect(retry.status).toBe(201)
    expect(await status(id)).toMatchObject({ sold: 1, reserved_stock: 0 })
    expect(await runReconciler()).toMatchObject({ pending_confirmed: 0, pending_given_back: 0 })
    await expectConserved(h.api, h.db.url, [id])
    const replay = await h.api.call('POST', '/api/checkout', checkoutBody('pg-retry', id, 1), key)
    expect(replay.body).toEqual(retry.body)
  })

  it('an order Postgres recorded but Redis never settled is confirmed, never given back', async () => {
    const id = await product(5)
    await reserve('lost-answer', id, 2)
    const deps = edgeDeps(h.config)
    const taken = await deps.engine.checkout({
      userId: 'lost-answer',
      productId: Number(id),
      quantity: 2,
      amountCents: 400,
      orderId: crypto.randomUUID(),
    })
    if (!taken.ok) throw new Error(`checkout refused: ${taken.reason}`)
    await recordOrder(deps.db, { ...taken.order, id: taken.order.orderId, idempotencyKey: null, totalAmountCents: 400 })
    expect(await runReconciler()).toMatchObject({ pending_confirmed: 1, pending_given_back: 0 })
    expect(await status(id)).toMatchObject({ sold: 2, available_stock: 3 })
    await expectConserved(h.api, h.db.url, [id])
  })
})

describe('the settle after the answer', () => {
  /** The app as a platform that stops right after the answer: work handed to waitUntil never runs. */
  function stoppingAfterAnswer() {
    const dropped: (() => Promise<unknown>)[] = []
    const app = createApp(() => edgeDeps(h.config, { background: (task) => void dropped.push(task) }))
    return { api: apiClient(() => async (request) => app.fetch(request)), dropped }
  }

  it('answers before the settle runs; the settle then clears the pending entry', async () => {
    const id = await product(5)
    await reserve('settle-later', id, 2)
    const { api, dropped } = stoppingAfterAnswer()
    const res = await api.call('POST', '/api/checkout', checkoutBody('settle-later', id, 2), { 'idempotency-key': 'later-1' })
    expect(res.status).toBe(201)
    expect(dropped).toHaveLength(1)
    // Answered, not settled: the order's units are still a pending checkout in Redis.
    const pending = await edgeDeps(h.config).engine.listPending(new Date(Date.now() + 1), 100)
    expect(pending.filter((p) => p.productId === Number(id))).toHaveLength(1)
    await dropped[0]!()
    const after = await edgeDeps(h.config).engine.listPending(new Date(Date.now() + 1), 100)
    expect(after.filter((p) => p.productId === Number(id))).toHaveLength(0)
    const replay = await h.api.call('POST', '/api/checkout', checkoutBody('settle-later', id, 2), { 'idempotency-key': 'later-1' })
    expect(replay.body).toEqual(res.body)
    await expectConserved(h.api, h.db.url, [id])
  })

  it('a settle that never runs heals: the reconciler confirms the order', async () => {
    const id = await product(5)
    await reserve('settle-lost', id, 2)
    const { api, dropped } = stoppingAfterAnswer()
    expect((await api.call('POST', '/api/checkout', checkoutBody('settle-lost', id, 2))).status).toBe(201)
    expect(dropped).toHaveLength(1) // and it never runs
    expect(await status(id)).toMatchObject({ sold: 2, reserved_stock: 0, available_stock: 3 })
    expect(await runReconciler()).toMatchObject({ pending_confirmed: 1, pending_given_back: 0 })
    expect(await status(id)).toMatchObject({ sold: 2, reserved_stock: 0, available_stock: 3 })
    await expectConserved(h.api, h.db.url, [id])
  })

  it('a key whose settle never ran stays in flight for its lease: a retry gets 409, the reconciler gives nothing back', async () => {
    const id = await product(5)
    await reserve('settle-lost-key', id, 2)
    const { api } = stoppingAfterAnswer()
    const key = { 'idempotency-key': 'lost-1' }
    expect((await api.call('POST', '/api/checkout', checkoutBody('settle-lost-key', id, 2), key)).status).toBe(201)
    const retry = await h.api.call('POST', '/api/checkout', checkoutBody('settle-lost-key', id, 2), key)
    expect(retry.status).toBe(409)
    expect(retry.body.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT')
    expect(retry.headers.get('retry-after')).toBe('1')
    expect(await runReconciler()).toMatchObject({ pending_busy: 1, pending_given_back: 0 })
    await expectConserved(h.api, h.db.url, [id])
  })
})

describe('Postgres refuses the statement', () => {
  it('gives the units back at once; the reconciler then repairs Redis from Postgres', async () => {
    const id = await product(5)
    await reserve('refused', id, 2)
    await sql(h.db.url, 'UPDATE products SET total_stock = 1 WHERE id = $1', [id]) // Postgres knows better
    const res = await h.api.call('POST', '/api/checkout', checkoutBody('refused', id, 2))
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('INSUFFICIENT_STOCK')
    expect(await status(id)).toMatchObject({ total_stock: 5, sold: 0, reserved_stock: 0, available_stock: 5 })
    expect(await runReconciler()).toMatchObject({ products_repaired: 1 })
    expect(await status(id)).toMatchObject({ total_stock: 1, sold: 0, available_stock: 1 })
    await expectConserved(h.api, h.db.url, [id])
  })
})

describe('Redis flushed after some orders', () => {
  it('status rehydrates sold from Postgres', async () => {
    const id = await product(6)
    for (const [user, q] of [
      ['flush-a', 1],
      ['flush-b', 2],
    ] as const) {
      await reserve(user, id, q)
      expect((await h.api.call('POST', '/api/checkout', checkoutBody(user, id, q))).status).toBe(201)
    }
    await dropPrefix(h.prefix)
    expect(await status(id)).toMatchObject({ sold: 3, reserved_stock: 0, available_stock: 3 })
    await expectConserved(h.api, h.db.url, [id])
  })
})

describe('an Idempotency-Key still in flight', () => {
  let proxy: Server
  afterAll(() => new Promise((resolve) => proxy?.close(resolve)))

  it('answers a duplicate 409 while the first request waits on a slow Postgres, then replays it', async () => {
    // A proxy that holds every query 3 s before passing it to the local Neon server.
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      await new Promise((r) => setTimeout(r, 3000))
      const upstream = await fetch(h.stack.vars.NEON_FETCH_ENDPOINT, {
        method: 'POST',
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('neon-') || k === 'content-type')) as Record<
          string,
          string
        >,
        body: Buffer.concat(chunks),
      })
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const slow = h.api.withConfig({ NEON_FETCH_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/sql` })

    const id = await product(5)
    await reserve('slow', id, 1)
    const key = { 'idempotency-key': 'slow-first' }
    const first = slow.call('POST', '/api/checkout', checkoutBody('slow', id, 1), key)
    await new Promise((r) => setTimeout(r, 200))
    const duplicate = await slow.call('POST', '/api/checkout', checkoutBody('slow', id, 1), key)
    expect(duplicate.status).toBe(409)
    expect(duplicate.body.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT')
    expect(duplicate.headers.get('retry-after')).toBeTruthy()
    expect((await first).status).toBe(201)
    const replay = await h.api.call('POST', '/api/checkout', checkoutBody('slow', id, 1), key)
    expect(replay.status).toBe(201)
    expect(replay.body).toEqual((await first).body)
    await expectConserved(h.api, h.db.url, [id])
  })
})
