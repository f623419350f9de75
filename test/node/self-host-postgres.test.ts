import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { reconcile } from '../../src/services/reconcile'
import { parseSelfHostConfig, selfHostDeps, type SelfHost } from '../../src/self-host/deps'
import { apiClient, TEST_ADMIN_TOKEN, TEST_LIMITS, type ApiClient } from '../support/client'
import { expectConserved, sql } from '../support/conservation'
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../support/postgres'
import { dropPrefix, REDIS_URL, testPrefix } from '../support/redis'
import { tcpProxy, type TcpProxy } from '../support/tcp-proxy'

// The self-hosted app on an ordinary Postgres over node-postgres (selfHostDeps
// picks it for a non-Neon DATABASE_URL), reached through a TCP proxy so the
// test can take Postgres away. The edge's behaviour must hold: no answer in
// time is a 503 with Retry-After, a refusal is a refusal.

const DEADLINE_MS = 500
const prefix = testPrefix('shpg')
let db: TestDatabase
let proxy: TcpProxy
let host: SelfHost
let api: ApiClient

beforeAll(async () => {
  db = await createTestDatabase('shpg')
  const admin = new URL(ADMIN_URL)
  proxy = await tcpProxy(Number(admin.port || 5432), admin.hostname)
  const url = new URL(db.url)
  url.hostname = '127.0.0.1'
  url.port = String(proxy.port)
  const config = parseSelfHostConfig({
    DATABASE_URL: url.toString(),
    REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...TEST_LIMITS,
  })
  host = selfHostDeps(config, { queryDeadlineMs: DEADLINE_MS })
  expect(host.postgres).toBe('node-postgres')
  const app = createApp(host.deps)
  api = apiClient(() => async (request) => app.fetch(request))
})

afterAll(async () => {
  await host?.close()
  await proxy?.close()
  await dropPrefix(prefix)
  await db?.drop()
})

async function product(total_stock: number) {
  const res = await api.call('POST', '/api/products', { name: 'Pooled', total_stock, price: '2.00' })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.data.id as string
}
const reserve = async (user: string, id: string, quantity: number) =>
  expect((await api.call('POST', '/api/reserve', { user_id: user, product_id: id, quantity })).status).toBe(201)
const checkout = (user: string, id: string, quantity: number, key: string) =>
  api.call('POST', '/api/checkout', { user_id: user, product_id: id, quantity, total_amount: 2 * quantity }, { 'idempotency-key': key })

function expectUnavailable(res: { status: number; body: any; headers: Headers }) {
  expect(res.status, JSON.stringify(res.body)).toBe(503)
  expect(res.headers.get('retry-after')).toBeTruthy()
  expect(res.body).toMatchObject({ success: false, code: 'SERVICE_UNAVAILABLE', error: expect.stringMatching(/postgres/) })
}

describe('node-postgres under the deadline', () => {
  it('a statement past the deadline is cancelled by Postgres and answered 503; the pool then serves on', async () => {
    const id = await product(5)
    const locker = new pg.Client({ connectionString: db.url })
    await locker.connect()
    try {
      await locker.query('BEGIN')
      await locker.query('LOCK TABLE products IN ACCESS EXCLUSIVE MODE')
      const started = Date.now()
      expectUnavailable(await api.call('GET', `/api/products/${id}`))
      expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 1500)
      // Cancelled in Postgres (statement_timeout), not just given up on by the client.
      const waiting = await locker.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [db.name])
      expect(waiting.rows).toEqual([{ n: 0 }])
    } finally {
      await locker.query('ROLLBACK').finally(() => locker.end())
    }
    expect((await api.call('GET', `/api/products/${id}`)).status).toBe(200)
  })
})

describe('Postgres gone and back', () => {
  it('503 while it is gone; the checkout waits pending and its retry with the same key sells once it is back', async () => {
    const id = await product(5)
    await reserve('pg-down', id, 2)
    await proxy.cut()
    try {
      const started = Date.now()
      expectUnavailable(await checkout('pg-down', id, 2, 'pooled-outage'))
      expectUnavailable(await api.call('GET', `/api/products/${id}`))
      expect(Date.now() - started).toBeLessThan(3000)
      expect((await api.call('GET', `/api/products/${id}/status`)).body.data).toMatchObject({ sold: 2, reserved_stock: 0 }) // pending
    } finally {
      await proxy.restore()
    }
    const retry = await checkout('pg-down', id, 2, 'pooled-outage')
    expect(retry.status, JSON.stringify(retry.body)).toBe(201)
    expect(await reconcile(host.deps(), { pendingOlderThanMs: 0 })).toMatchObject({ pending_confirmed: 0, pending_given_back: 0 })
    await expectConserved(api, db.url, [id])
  })
})

describe('Postgres refusing is an answer, not an outage', () => {
  it('CHECK (sold <= total_stock) over node-postgres: the checkout is refused (409) and the units are back at once', async () => {
    const id = await product(5)
    await reserve('refused', id, 2)
    await sql(db.url, 'UPDATE products SET total_stock = 1 WHERE id = $1', [id]) // Postgres knows better
    const res = await checkout('refused', id, 2, 'pooled-refused')
    expect(res.status, JSON.stringify(res.body)).toBe(409)
    expect(res.body.code).toBe('INSUFFICIENT_STOCK')
    expect((await api.call('GET', `/api/products/${id}/status`)).body.data).toMatchObject({ sold: 0, reserved_stock: 0, available_stock: 5 })
  })

  it('lowering total_stock below what Postgres has sold: 409 STOCK_BELOW_COMMITTED', async () => {
    const id = await product(5)
    await sql(db.url, 'UPDATE products SET sold = 4 WHERE id = $1', [id]) // sold where Redis did not see it
    const res = await api.call('PATCH', `/api/products/${id}`, { total_stock: 2 })
    expect(res.status, JSON.stringify(res.body)).toBe(409)
    expect(res.body).toMatchObject({ code: 'STOCK_BELOW_COMMITTED' })
  })
})
