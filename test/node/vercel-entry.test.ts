import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalStack, type LocalStack } from '../../dev/local-stack'
import { TEST_ADMIN_TOKEN, TEST_LIMITS } from '../support/client'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { dropPrefix, REDIS_URL, testPrefix } from '../support/redis'

const prefix = testPrefix('vercel')
const saved = { ...process.env }
let db: TestDatabase | undefined
let stack: LocalStack | undefined
let entry: typeof import('../../api/index')

beforeAll(async () => {
  db = await createTestDatabase('vercel')
  stack = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db.url }, migrate: false })
  // Vercel gives the function its project's environment variables as process.env.
  Object.assign(process.env, { ...stack.vars, REDIS_PREFIX: prefix, LOG_LEVEL: 'silent', ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...TEST_LIMITS })
  entry = await import('../../api/index')
})

afterAll(async () => {
  process.env = saved
  await stack?.close()
  await dropPrefix(prefix)
  await db?.drop()
})

async function call(method: string, path: string, body?: unknown, context?: { waitUntil(promise: Promise<unknown>): void }) {
  const request = new Request(`https://flash-deal.vercel.app${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`, // product writes are the admin's
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const res = await entry.default(request, context)
  return { status: res.status, body: (await res.json()) as any }
}

describe('the Vercel Edge entry (api/index.ts)', () => {
  it("declares the Edge runtime, pinned to the stores' region", () => {
    expect(entry.config).toEqual({ runtime: 'edge', regions: ['iad1'] })
  })

  it("hands the checkout's settle to Vercel's waitUntil, after the answer", async () => {
    const id = (await call('POST', '/api/products', { name: 'Vercel settle', total_stock: 2, price: '1.00' })).body.data.id
    expect((await call('POST', '/api/reserve', { user_id: 'v-shopper', product_id: id, quantity: 1 })).status).toBe(201)
    const waited: Promise<unknown>[] = []
    const checkout = await call(
      'POST',
      '/api/checkout',
      { user_id: 'v-shopper', product_id: id, quantity: 1, total_amount: 1 },
      { waitUntil: (p) => void waited.push(p) },
    )
    expect(checkout.status).toBe(201)
    expect(waited).toHaveLength(1)
    await Promise.all(waited)
    const status = await call('GET', `/api/products/${id}/status`)
    expect(status.body.data).toMatchObject({ sold: 1, reserved_stock: 0, available_stock: 1 })
  })

  it('answers /health 200 with both stores up, from process.env configuration', async () => {
    const health = await call('GET', '/health')
    expect(health.status, JSON.stringify(health.body)).toBe(200)
    expect(health.body.data.dependencies).toMatchObject({ redis: { status: 'up' }, postgres: { status: 'up' } })
  })

  it('serves the API under /api and answers unknown paths with the 404 envelope', async () => {
    const product = await call('POST', '/api/products', { name: 'Vercel item', total_stock: 2 })
    expect(product.status, JSON.stringify(product.body)).toBe(201)
    const status = await call('GET', `/api/products/${product.body.data.id}/status`)
    expect(status.body.data).toMatchObject({ available_stock: 2 })
    const missing = await call('GET', '/nope')
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ success: false, code: 'NOT_FOUND' })
  })
})
