import { sign } from 'hono/jwt'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import { TEST_ADMIN_TOKEN, COUNTED_WINDOW_MS } from '../support/client'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { exceedUserLimit } from '../support/rate-limit-contract'

let h: NodeHarness
beforeAll(async () => {
  h = await startNodeHarness('edge')
})
afterAll(() => h?.close())
afterEach(() => vi.restoreAllMocks())

async function product(total_stock = 10) {
  const res = await h.api.call('POST', '/api/products', { name: 'Edge', total_stock })
  expect(res.status).toBe(201)
  return res.body.data.id as string
}
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('rate limits (@upstash/ratelimit, sliding window)', () => {
  it('per IP: the 6th request in the window is 429 with Retry-After; other IPs go on; the window resets', { timeout: 15_000 }, async () => {
    const id = await product()
    const api = h.api.withConfig({ RATE_LIMIT_MAX_REQUESTS: '5', RATE_LIMIT_WINDOW_MS: '2000' })
    const from = (ip: string) => ({ 'cf-connecting-ip': ip })
    // Windows are aligned to multiples of their length; a sliding window that
    // straddles a boundary weighs the previous one down, so start just after one.
    const windowStart = Math.ceil(Date.now() / 2000) * 2000
    await wait(windowStart - Date.now() + 20)
    const replies = []
    for (let i = 0; i < 6; i++) replies.push(await api.call('GET', `/api/products/${id}`, undefined, from('203.0.113.7')))
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429])
    expect(replies.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0', '0'])
    expect(replies[0]!.headers.get('ratelimit-limit')).toBe('5')
    expect(Number(replies[0]!.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(0)
    const blocked = replies[5]!
    expect(blocked.body).toMatchObject({ success: false, code: 'RATE_LIMITED' })
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)

    expect((await api.call('GET', `/api/products/${id}`, undefined, from('198.51.100.9'))).status).toBe(200)

    // A client already blocked costs no Redis command (the limiter's in-memory cache).
    h.stack.upstash.resetStats()
    expect((await api.call('GET', `/api/products/${id}`, undefined, from('203.0.113.7'))).status).toBe(429)
    expect(h.stack.upstash.stats().commands).toBe(0)

    await wait(windowStart + 4000 + 20 - Date.now()) // two windows on, nothing is left to weigh
    h.stack.upstash.resetStats()
    const again = await api.call('GET', `/api/products/${id}`, undefined, from('203.0.113.7'))
    expect(again.status).toBe(200)
    // An admitted request costs the limiter one command (this route has no Redis work of its own).
    expect(h.stack.upstash.stats()).toMatchObject({ commands: 1, byCommand: { EVALSHA: 1 } })
  })

  it('per user on reserve, bulk and checkout: tighter, and one user does not block another', async () => {
    const id = await product(100)
    const api = h.api.withConfig({ USER_RATE_LIMIT_MAX_REQUESTS: '2', USER_RATE_LIMIT_WINDOW_MS: COUNTED_WINDOW_MS })
    await exceedUserLimit(api, id)
    expect((await api.call('GET', `/api/products/${id}/status`)).body.data.reserved_stock).toBe(3)
  })

  it('with Redis unreachable: reads fail open, writes get 503, never a hang', async () => {
    const id = await product()
    const down = h.api.withConfig({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' })
    const started = Date.now()
    expect((await down.call('GET', `/api/products/${id}`)).status).toBe(200) // Postgres only: served
    const status = await down.call('GET', `/api/products/${id}/status`)
    expect(status.status).toBe(503)
    expect(status.body.error).toMatch(/redis/)
    const write = await down.call('POST', '/api/reserve', { user_id: 'u', product_id: id, quantity: 1 })
    expect(write.status).toBe(503)
    expect(write.headers.get('retry-after')).toBeTruthy()
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

describe('auth', () => {
  const routes = (id: string) =>
    [
      ['POST', '/api/products', { name: 'x', total_stock: 1 }, 201],
      ['PATCH', `/api/products/${id}`, { total_stock: 20 }, 200],
    ] as const

  it('product writes need the admin token: 401 without, 403 wrong, 2xx right', async () => {
    const id = await product()
    for (const [method, path, body, okStatus] of routes(id)) {
      const none = await h.api.call(method, path, body, { authorization: '' })
      expect(none.status, `${method} ${path}`).toBe(401)
      expect(none.body.code).toBe('UNAUTHORIZED')
      expect(none.headers.get('www-authenticate')).toBe('Bearer')
      const wrong = await h.api.call(method, path, body, { authorization: 'Bearer not-the-admin-token' })
      expect(wrong.status).toBe(403)
      expect(wrong.body.code).toBe('FORBIDDEN')
      expect((await h.api.call(method, path, body, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` })).status).toBe(okStatus)
    }
  })

  it('without ADMIN_TOKEN the admin routes refuse everyone (fail closed)', async () => {
    const id = await product()
    const open = h.api.withConfig({ ADMIN_TOKEN: '' })
    for (const [method, path, body] of routes(id)) {
      const res = await open.call(method, path, body)
      expect(res.status).toBe(403)
      expect(res.body.error).toMatch(/ADMIN_TOKEN/)
    }
  })

  it('with JWT_SECRET, shopper routes need a token whose sub is the user', async () => {
    const id = await product()
    const secret = 'a-very-long-test-secret-of-32-chars!'
    const api = h.api.withConfig({ JWT_SECRET: secret })
    const now = Math.floor(Date.now() / 1000)
    const token = async (sub: string, exp = now + 60) => `Bearer ${await sign({ sub, exp }, secret, 'HS256')}`
    const body = { user_id: 'jane', product_id: id, quantity: 1 }

    const none = await api.call('POST', '/api/reserve', body)
    expect(none.status).toBe(401)
    const other = await api.call('POST', '/api/reserve', body, { authorization: await token('john') })
    expect(other.status).toBe(403)
    expect(other.body.code).toBe('FORBIDDEN')
    const expired = await api.call('POST', '/api/reserve', body, { authorization: await token('jane', now - 10) })
    expect(expired.status).toBe(401)
    expect(expired.body.error).toBe('Token expired')
    const forged = await api.call('POST', '/api/reserve', body, {
      authorization: `Bearer ${await sign({ sub: 'jane', exp: now + 60 }, 'another-secret-that-is-32-chars-long', 'HS256')}`,
    })
    expect(forged.status).toBe(401)
    expect((await api.call('POST', '/api/reserve', body, { authorization: await token('jane') })).status).toBe(201)

    for (const path of ['/api/users/jane/reservations', '/api/users/jane/orders']) {
      expect((await api.call('GET', path)).status).toBe(401)
      expect((await api.call('GET', path, undefined, { authorization: await token('john') })).status).toBe(403)
      expect((await api.call('GET', path, undefined, { authorization: await token('jane') })).status).toBe(200)
    }
    expect((await api.call('DELETE', `/api/reserve/jane/${id}`, undefined, { authorization: await token('john') })).status).toBe(403)
    expect((await api.call('DELETE', `/api/reserve/jane/${id}`, undefined, { authorization: await token('jane') })).status).toBe(200)
    const checkout = { user_id: 'jane', product_id: id, quantity: 1, total_amount: 0 }
    expect((await api.call('POST', '/api/checkout', checkout, { authorization: await token('john') })).status).toBe(403)
  })
})

describe('nothing private in logs or public answers', () => {
  it('logs a store error by its kind and operation, never the command with its keys and user ids', async () => {
    const id = await product()
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line))
    const refused = h.api.withConfig({ UPSTASH_REDIS_REST_TOKEN: 'not-the-token', LOG_LEVEL: 'info' })
    const email = 'jane.doe@example.com'
    const res = await refused.call('POST', '/api/reserve', { user_id: email, product_id: id, quantity: 1 })
    expect(res.status).toBe(503)
    const errors = lines.map((l) => JSON.parse(l)).filter((e) => e.event === 'request_error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ store: 'redis', operation: 'script reserve', kind: 'refused' })
    expect(JSON.stringify(errors)).not.toContain(email)
    expect(JSON.stringify(errors)).not.toMatch(/command was|evalsha/i)
  })

  it('/health says which store is down, not what it answered', async () => {
    const res = await h.api.withConfig({ UPSTASH_REDIS_REST_TOKEN: 'not-the-token' }).call('GET', '/health')
    expect(res.status).toBe(503)
    const redis = res.body.details.find((d: { dependency: string }) => d.dependency === 'redis')
    expect(redis).toMatchObject({ status: 'down', error: 'refused' })
    expect(JSON.stringify(res.body)).not.toMatch(/Unauthorized|command/i)
  })
})

describe('safe surface', () => {
  it('sends secure headers and a request id (kept when sane, replaced when not)', async () => {
    const res = await h.api.call('GET', '/health', undefined, { 'x-request-id': 'trace-abc_123' })
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age/)
    expect(res.headers.get('x-request-id')).toBe('trace-abc_123')
    const insane = await h.api.call('GET', '/health', undefined, { 'x-request-id': 'a b <script>' })
    expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect((await h.api.call('GET', '/health')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('allows CORS only for CORS_ORIGINS', async () => {
    const preflight = (api: typeof h.api, origin: string) =>
      api.raw('/api/reserve', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })
    expect((await preflight(h.api, 'https://shop.example')).headers.get('access-control-allow-origin')).toBeNull()
    const api = h.api.withConfig({ CORS_ORIGINS: 'https://shop.example' })
    const allowed = await preflight(api, 'https://shop.example')
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Idempotency-Key/i)
    expect((await preflight(api, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull()
    const simple = await api.call('GET', '/health', undefined, { origin: 'https://shop.example' })
    expect(simple.headers.get('access-control-expose-headers')).toMatch(/RateLimit-Remaining/)
  })

  it('answers a bug with a bare 500: no stack, no driver message', async () => {
    const app = createApp(() => {
      throw new Error('connect failed for postgres://admin:s3cret@db.internal:5432 at Object.<anonymous> (deps.ts:12)')
    })
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const res = await app.request('/health')
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(JSON.parse(text)).toEqual({ success: false, error: 'Internal server error', code: 'INTERNAL_ERROR' })
    expect(text).not.toMatch(/s3cret|deps\.ts|stack/)
  })
})

describe('request logs', () => {
  it('one JSON line per request with its route, status and timing; no tokens, no bodies', async () => {
    const id = await product()
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    const api = h.api.withConfig({ LOG_LEVEL: 'info' })
    await api.call('POST', '/api/reserve', { user_id: 'logged-user', product_id: id, quantity: 1 }, { 'x-request-id': 'log-check-1' })
    const entries = lines.map((l) => JSON.parse(l)).filter((e) => e.request_id === 'log-check-1')
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      level: 'info',
      event: 'request',
      method: 'POST',
      route: '/api/reserve',
      status: 201,
      user_id: 'logged-user',
      rate_limit: 'allowed',
    })
    expect(entries[0].duration_ms).toEqual(expect.any(Number))
    expect(lines.join('\n')).not.toContain(TEST_ADMIN_TOKEN)
    expect(lines.join('\n')).not.toContain('"quantity"')

    lines.length = 0
    await h.api.withConfig({ LOG_LEVEL: 'silent' }).call('GET', `/api/products/${id}`)
    expect(lines).toEqual([])
  })
})
