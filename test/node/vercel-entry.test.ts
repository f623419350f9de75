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

async function call(method: string, path: string, body?: unknown) {
  const request = new Request(`https://flash-deal.vercel.app${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`, // product writes are the admin's
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const res = await entry.default(request)
  return { status: res.status, body: (await res.json()) as any }
}

describe('the Vercel Edge entry (api/index.ts)', () => {
  it('declares the Edge runtime', () => {
    expect(entry.config).toEqual({ runtime: 'edge' })
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
