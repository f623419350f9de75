import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalStack, type LocalStack } from '../../dev/local-stack'
import { ROOT } from '../../dev/paths'
import { TEST_ADMIN_TOKEN, TEST_LIMITS } from '../support/client'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { dropPrefix, REDIS_URL, testPrefix } from '../support/redis'

const COMPATIBILITY_DATE = '2026-04-26'
const prefix = testPrefix('pages')
let outdir = ''
let db: TestDatabase | undefined
let stack: LocalStack | undefined
let mf: Miniflare | undefined

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'fd-pages-'))
  // What Cloudflare Pages does with functions/ on deploy: one Worker script routing to each file.
  await promisify(execFile)(
    join(ROOT, 'node_modules/.bin/wrangler'),
    ['pages', 'functions', 'build', '--outdir', outdir, '--compatibility-date', COMPATIBILITY_DATE],
    {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
    },
  )
  db = await createTestDatabase('pages')
  stack = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db.url }, migrate: false })
  mf = new Miniflare({
    // Listed rather than walked from a scriptPath: the bundle keeps optional dynamic
    // imports (e.g. `import("effect")` in hono-openapi's schema loaders) that workerd
    // only resolves if they run, while Miniflare's walker refuses them up front.
    modules: [{ type: 'ESModule', path: join(outdir, 'index.js'), contents: await readFile(join(outdir, 'index.js'), 'utf8') }],
    modulesRoot: outdir, // module names are relative to it; the default (cwd) cannot reach /tmp
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ...stack.vars, REDIS_PREFIX: prefix, LOG_LEVEL: 'silent', ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...TEST_LIMITS },
    // Pages serves static assets for paths no function claims.
    serviceBindings: { ASSETS: () => new Response('static 404', { status: 404 }) },
  })
}, 120_000)

afterAll(async () => {
  await mf?.dispose()
  await stack?.close()
  await dropPrefix(prefix)
  await db?.drop()
  if (outdir) await rm(outdir, { recursive: true, force: true })
})

async function call(method: string, path: string, body?: unknown) {
  const res = await mf!.dispatchFetch(`http://flash.test${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`, // product writes are the admin's
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers }
}

describe('functions/ built by wrangler, run in workerd', () => {
  it('serves each route group from its own function', async () => {
    const health = await call('GET', '/health')
    expect(health.status, JSON.stringify(health.body)).toBe(200)
    expect(health.body.data.dependencies).toMatchObject({ redis: { status: 'up' }, postgres: { status: 'up' } })
    expect(health.headers.get('x-request-id')).toBeTruthy()

    const product = await call('POST', '/api/products', { name: 'Pages item', total_stock: 3 })
    expect(product.status, JSON.stringify(product.body)).toBe(201)
    // The app's own middleware runs in front of each group: secure headers, rate limit.
    expect(product.headers.get('x-content-type-options')).toBe('nosniff')
    expect(product.headers.get('ratelimit-limit')).toBeTruthy()
    const id = product.body.data.id

    const hold = await call('POST', '/api/reserve', { user_id: 'pages-user', product_id: id, quantity: 2 })
    expect(hold.status, JSON.stringify(hold.body)).toBe(201)

    const status = await call('GET', `/api/products/${id}/status`)
    expect(status.status).toBe(200)
    expect(status.body.data).toMatchObject({ product_id: id, reserved_stock: 2, available_stock: 1 })

    const holds = await call('GET', '/api/users/pages-user/reservations')
    expect(holds.status).toBe(200)
    expect(holds.body.data).toMatchObject([{ product_id: id, quantity: 2 }])

    const order = await call('POST', '/api/checkout', { user_id: 'pages-user', product_id: id, quantity: 2, total_amount: 0 })
    expect(order.status, JSON.stringify(order.body)).toBe(201)
    const orders = await call('GET', '/api/users/pages-user/orders')
    expect(orders.status).toBe(200)
    expect(orders.body.data.orders).toMatchObject([{ product_id: id, quantity: 2, status: 'confirmed' }])

    const docs = await call('GET', '/api/docs')
    expect(docs.status).toBe(200)
    expect(docs.headers.get('content-type')).toMatch(/html/)
  })

  it('answers errors in the envelope: validation 400, unknown path inside a group 404', async () => {
    const bad = await call('POST', '/api/reserve', { user_id: '*', product_id: 1, quantity: 1 })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ success: false, code: 'VALIDATION_ERROR' })
    const missing = await call('GET', '/api/products/1/nope')
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ success: false, code: 'NOT_FOUND' })
  })
})
