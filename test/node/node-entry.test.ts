import { spawn, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startLocalStack, type LocalStack } from '../../dev/local-stack'
import { ROOT } from '../../dev/paths'
import { freePort } from '../../dev/redis'
import { TEST_ADMIN_TOKEN } from '../support/client'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { dropPrefix, REDIS_URL, scanKeys, testPrefix } from '../support/redis'

const prefix = testPrefix('node')
let db: TestDatabase | undefined
let stack: LocalStack | undefined
let server: ChildProcess | undefined

beforeAll(async () => {
  db = await createTestDatabase('node')
  stack = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db.url }, migrate: false })
})

afterAll(async () => {
  // Never leave the server behind, whatever failed (it runs in its own process group).
  if (server?.pid && server.exitCode === null) process.kill(-server.pid, 'SIGKILL')
  await stack?.close()
  await dropPrefix(prefix)
  await db?.drop()
})

/** A POST whose body is sent in two parts, so the request is in flight in between. */
function slowPost(port: number, path: string, body: string) {
  const req = request({ port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } })
  const reply = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }))
    })
    req.on('error', reject)
  })
  req.write(body.slice(0, 10))
  return { finish: () => req.end(body.slice(10)), reply }
}

it('`npm start` serves the API over ioredis and Neon HTTP, rate-limits, and SIGTERM drains in-flight requests then exits 0', { timeout: 60_000 }, async () => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  server = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      DATABASE_URL: stack!.vars.DATABASE_URL,
      NEON_FETCH_ENDPOINT: stack!.vars.NEON_FETCH_ENDPOINT,
      UPSTASH_REDIS_REST_URL: '',
      UPSTASH_REDIS_REST_TOKEN: '',
      LOG_LEVEL: 'info',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      RATE_LIMIT_MAX_REQUESTS: '3',
      RATE_LIMIT_WINDOW_MS: '86400000', // a day: no window boundary falls inside the test
    },
  })
  let output = ''
  server.stdout!.on('data', (d) => (output += d))
  server.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)))

  let health: Response | undefined
  for (let i = 0; i < 200 && server.exitCode === null; i++) {
    health = await fetch(`${base}/health`).catch(() => undefined)
    if (health) break
    await new Promise((r) => setTimeout(r, 100))
  }
  expect(health?.status, output).toBe(200)
  expect(await health!.json()).toMatchObject({ data: { dependencies: { redis: { status: 'up' }, postgres: { status: 'up' } } } })

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: JSON.stringify(body),
    })
  const product = (await (await post('/api/products', { name: 'Node item', total_stock: 5 })).json()) as any
  const hold = await post('/api/reserve', { user_id: 'node-user', product_id: product.data.id, quantity: 2 })
  expect(hold.status).toBe(201)

  // The edge's limiter, over the same ioredis connection: 3 per IP, the product write was the first.
  const reads = []
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${base}/api/products/${product.data.id}`)
    reads.push({ status: res.status, headers: res.headers, body: (await res.json()) as any })
  }
  expect(reads.map((r) => r.status)).toEqual([200, 200, 429])
  expect(reads.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['1', '0', '0'])
  expect(reads[2]!.headers.get('ratelimit-limit')).toBe('3')
  expect(Number(reads[2]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  expect(reads[2]!.body).toMatchObject({ code: 'RATE_LIMITED', details: [{ scope: 'ip' }] })
  const redis = new Redis(REDIS_URL)
  const keys = await scanKeys(redis, `{${prefix}}:rl:ip:*`).finally(() => redis.disconnect())
  expect(keys).toHaveLength(1) // keyed on the TCP peer, under the edge's prefix

  // A request in flight when SIGTERM arrives is still answered; new connections are refused.
  // The signal goes to npm alone, as `docker stop` or systemd send it to the main process.
  const inFlight = slowPost(port, '/api/reserve', JSON.stringify({ user_id: 'late-user', product_id: product.data.id, quantity: 1 }))
  await new Promise((r) => setTimeout(r, 300))
  server.kill('SIGTERM')
  let refused = false
  for (let i = 0; i < 50 && !refused; i++) {
    refused = await fetch(`${base}/health`, { headers: { connection: 'close' } }).then(() => false, () => true)
    if (!refused) await new Promise((r) => setTimeout(r, 100))
  }
  expect(refused, output).toBe(true)
  inFlight.finish()
  const finished = Date.now()
  const late = await inFlight.reply
  expect(late.status, JSON.stringify(late.body)).toBe(201)
  expect(await exited, output).toBe(0)
  expect(Date.now() - finished).toBeLessThan(3000) // no wait for idle keep-alive sockets to time out
  expect(output).toMatch(/"event":"stopped"/)
})
