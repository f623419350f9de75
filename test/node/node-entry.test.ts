import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { request } from 'node:http'
import pg from 'pg'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalStack } from '../../dev/local-stack'
import { ROOT } from '../../dev/paths'
import { freePort } from '../../dev/redis'
import { apiClient, TEST_ADMIN_TOKEN } from '../support/client'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { dropPrefix, REDIS_URL, scanKeys, testPrefix } from '../support/redis'

// The built self-hosted server: `npm run build` once, then `npm start` or
// `node dist/node.js` on the machine's Postgres — no Neon-compatible server in
// between — and Redis, in a namespace of its own. The tests run one after the
// other: they share the one build in dist/.

const prefix = testPrefix('node')
let db: TestDatabase | undefined
const servers: ChildProcess[] = []

beforeAll(async () => {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' })
  expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0)
  db = await createTestDatabase('node')
}, 120_000)

afterAll(async () => {
  // Never leave a server behind, whatever failed (each runs in its own process group).
  for (const server of servers) if (server.pid && server.exitCode === null) process.kill(-server.pid, 'SIGKILL')
  await dropPrefix(prefix)
  await db?.drop()
})

interface Started {
  child: ChildProcess
  base: string
  port: number
  /** everything it printed so far, stdout and stderr */
  output(): string
  exited: Promise<number | null>
}

/**
 * The built server in a process group of its own: through `npm start` (the
 * command a host runs, which must pass signals on), or as `node dist/node.js`
 * where npm would only add its start-up cost on a busy machine.
 */
async function start(env: Record<string, string> = {}, via: 'npm' | 'node' = 'node'): Promise<Started> {
  const port = await freePort()
  const [command, args] = via === 'npm' ? ['npm', ['start', '--silent']] : [process.execPath, ['dist/node.js']]
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      DATABASE_URL: db!.url,
      NEON_FETCH_ENDPOINT: '',
      UPSTASH_REDIS_REST_URL: '',
      UPSTASH_REDIS_REST_TOKEN: '',
      LOG_LEVEL: 'info',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      MAX_HELD_PER_ADDRESS: '0', // every test request comes from 127.0.0.1
      ...env,
    },
  })
  servers.push(child)
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  // 'close', not 'exit': by then everything it (and its workers) wrote has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return { child, base: `http://127.0.0.1:${port}`, port, output: () => output, exited }
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function healthy(server: Started) {
  const res = await until('GET /health', async () => {
    if (server.child.exitCode !== null) throw new Error(`the server exited:\n${server.output()}`)
    return fetch(`${server.base}/health`).catch(() => undefined)
  })
  expect(res.status, server.output()).toBe(200)
  expect(await res.json()).toMatchObject({ data: { dependencies: { redis: { status: 'up' }, postgres: { status: 'up' } } } })
}

/** The JSON lines it logged with this event. */
const events = (server: Started, event: string) =>
  server
    .output()
    .split('\n')
    .filter((line) => line.includes(`"event":"${event}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>)

const api = (base: string) =>
  apiClient(() => (req) => {
    const url = new URL(req.url)
    return fetch(new Request(`${base}${url.pathname}${url.search}`, req))
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

describe('the built server', () => {
  it('sells a unit over node-postgres and ioredis, rate-limits, and SIGTERM drains in-flight requests then exits 0', { timeout: 60_000 }, async () => {
    const server = await start(
      {
        RATE_LIMIT_MAX_REQUESTS: '6',
        RATE_LIMIT_WINDOW_MS: '86400000', // a day: no window boundary falls inside the test
      },
      'npm',
    )
    await healthy(server)
    expect(events(server, 'listening')).toMatchObject([{ postgres: 'node-postgres', reconciler: true }])
    const shop = api(server.base)

    const created = await shop.call('POST', '/api/products', { name: 'Node item', total_stock: 5, price: '12.50' })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body.data.id as string
    const hold = await shop.call('POST', '/api/reserve', { user_id: 'node-user', product_id: id, quantity: 2 })
    expect(hold.status, JSON.stringify(hold.body)).toBe(201)
    const order = await shop.call(
      'POST',
      '/api/checkout',
      { user_id: 'node-user', product_id: id, quantity: 2, total_amount: '25.00' },
      { 'idempotency-key': randomUUID() },
    )
    expect(order.status, JSON.stringify(order.body)).toBe(201)
    expect(order.body.data).toMatchObject({ status: 'confirmed', quantity: 2 })
    const orders = await shop.call('GET', '/api/users/node-user/orders')
    expect(orders.body.data.orders).toMatchObject([{ order_id: order.body.data.order_id, product_id: id, quantity: 2 }])
    // In the machine's Postgres itself, not only in the answer.
    const client = new pg.Client({ connectionString: db!.url })
    await client.connect()
    const { rows } = await client.query('select sold from products where id = $1', [id]).finally(() => client.end())
    expect(rows).toEqual([{ sold: 2 }])

    // The edge's limiter over the same ioredis connection: 6 per IP; the product write and
    // the orders list spent 2 (reserve and checkout go through the per-user limit).
    const reads = []
    for (let i = 0; i < 5; i++) reads.push(await shop.call('GET', `/api/products/${id}`))
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200, 429])
    expect(reads.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['3', '2', '1', '0', '0'])
    expect(Number(reads[4]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(reads[4]!.body).toMatchObject({ code: 'RATE_LIMITED', details: [{ scope: 'ip' }] })
    const redis = new Redis(REDIS_URL)
    const keys = await scanKeys(redis, `{${prefix}}:rl:ip:*`).finally(() => redis.disconnect())
    expect(keys).toHaveLength(1) // keyed on the TCP peer, under the edge's prefix

    // A request in flight when SIGTERM arrives is still answered; new connections are refused.
    // The signal goes to npm alone, as `docker stop` or systemd send it to the main process.
    const inFlight = slowPost(server.port, '/api/reserve', JSON.stringify({ user_id: 'late-user', product_id: id, quantity: 1 }))
    await new Promise((r) => setTimeout(r, 300))
    server.child.kill('SIGTERM')
    await until('new connections refused', () =>
      fetch(`${server.base}/health`, { headers: { connection: 'close' } }).then(
        () => undefined,
        () => true,
      ),
    )
    inFlight.finish()
    const finished = Date.now()
    const late = await inFlight.reply
    expect(late.status, JSON.stringify(late.body)).toBe(201)
    expect(await server.exited, server.output()).toBe(0)
    expect(Date.now() - finished).toBeLessThan(3000) // no wait for idle keep-alive sockets to time out
    expect(events(server, 'stopped')).toHaveLength(1)
  })

  it('queries a Neon endpoint (NEON_FETCH_ENDPOINT) over Neon HTTP instead', { timeout: 60_000 }, async () => {
    const stack = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db!.url }, migrate: false })
    try {
      const server = await start({ DATABASE_URL: stack.vars.DATABASE_URL, NEON_FETCH_ENDPOINT: stack.vars.NEON_FETCH_ENDPOINT })
      await healthy(server)
      expect(events(server, 'listening')).toMatchObject([{ postgres: 'neon-http' }])
      const created = await api(server.base).call('POST', '/api/products', { name: 'Over HTTP', total_stock: 1 })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      server.child.kill('SIGTERM')
      expect(await server.exited, server.output()).toBe(0)
    } finally {
      await stack.close()
    }
  })
})

describe('start-up failures: one line naming the variable, the step and the cause, exit 1, never `listening`', () => {
  async function fails(env: Record<string, string>): Promise<string> {
    const server = await start(env)
    expect(await server.exited, server.output()).toBe(1)
    const output = server.output()
    expect(output).not.toMatch(/listening|^\s+at /m) // no stack trace
    return output.trim()
  }

  it('Redis unreachable', async () => {
    const port = await freePort()
    expect(await fails({ REDIS_URL: `redis://127.0.0.1:${port}` })).toBe(
      `Cannot start: Redis at REDIS_URL=redis://127.0.0.1:${port} failed at "connect": connect ECONNREFUSED 127.0.0.1:${port}`,
    )
  })

  it('Postgres unreachable (the password is not printed)', async () => {
    const port = await freePort()
    expect(await fails({ DATABASE_URL: `postgres://shop:s3cret@127.0.0.1:${port}/shop` })).toBe(
      `Cannot start: Postgres at DATABASE_URL=postgres://shop:***@127.0.0.1:${port}/shop failed at "connect": connect ECONNREFUSED 127.0.0.1:${port}`,
    )
  })

  it('Postgres answers but the migrations are not applied', async () => {
    const empty = await createTestDatabase('node_empty')
    try {
      const client = new pg.Client({ connectionString: empty.url })
      await client.connect()
      await client.query('DROP TABLE orders').finally(() => client.end())
      expect(await fails({ DATABASE_URL: empty.url })).toBe(
        `Cannot start: Postgres at DATABASE_URL=${empty.url} failed at "check the migrations": no table "orders"; apply the migrations with \`npm run db:migrate\` and this DATABASE_URL`,
      )
    } finally {
      await empty.drop()
    }
  })

  it('both stores at once: one line each', async () => {
    const [redisPort, pgPort] = [await freePort(), await freePort()]
    const lines = (await fails({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/x` })).split('\n')
    expect(lines).toEqual([
      expect.stringMatching(/^Cannot start: Redis at REDIS_URL=.* failed at "connect": connect ECONNREFUSED/),
      expect.stringMatching(/^Cannot start: Postgres at DATABASE_URL=.* failed at "connect": connect ECONNREFUSED/),
    ])
  })

  it('PORT taken, and bad variables', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, resolve))
    const port = (taken.address() as { port: number }).port
    try {
      expect(await fails({ PORT: String(port) })).toMatch(new RegExp(`^Cannot start: PORT=${port} failed at "listen": listen EADDRINUSE: address already in use .*:${port}$`))
    } finally {
      taken.close()
    }
    expect(await fails({ REDIS_URL: 'http://127.0.0.1:6379', WORKERS: 'two' })).toBe(
      'Invalid configuration: REDIS_URL must be a redis:// or rediss:// URL; WORKERS must be a whole number',
    )
  })
})

describe('WORKERS=2 (node:cluster)', () => {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }

  it('two processes serve one port, one runs the reconciler, a dead one is replaced, SIGTERM stops all with exit 0', { timeout: 60_000 }, async () => {
    const server = await start({ WORKERS: '2' })
    await healthy(server)
    // Each worker logs its own line, through its own write to the shared pipe.
    const first = await until('both workers', () => (events(server, 'listening').length >= 2 ? events(server, 'listening') : undefined))
    expect(first).toHaveLength(2)
    await until('the primary', () => events(server, 'workers_started')[0])
    expect(first.map((l) => l.reconciler).sort()).toEqual([false, true])
    const pids = first.map((l) => l.pid as number)
    expect(new Set(pids).size).toBe(2)

    const shop = api(server.base)
    const created = await shop.call('POST', '/api/products', { name: 'Clustered', total_stock: 100 })
    expect(created.status).toBe(201)
    const holds = await Promise.all(
      Array.from({ length: 20 }, (_, i) => shop.call('POST', '/api/reserve', { user_id: `w${i}`, product_id: created.body.data.id, quantity: 1 })),
    )
    expect(holds.map((h) => h.status)).toEqual(Array(20).fill(201))

    // The reconciler's worker dies: a new one takes its place, in its role.
    const reconciler = first.find((l) => l.reconciler)!.pid as number
    process.kill(reconciler, 'SIGKILL')
    const replaced = await until('a replacement worker', () => events(server, 'listening')[2])
    expect(replaced).toMatchObject({ reconciler: true })
    expect(events(server, 'worker_exited')).toMatchObject([{ pid: reconciler, signal: 'SIGKILL', reconciler: true }])
    expect((await shop.call('GET', `/api/products/${created.body.data.id}/status`)).status).toBe(200)

    server.child.kill('SIGTERM')
    expect(await server.exited, server.output()).toBe(0)
    expect(events(server, 'stopped')).toHaveLength(3) // two workers, then the primary
    const workers = events(server, 'listening').map((l) => l.pid as number)
    expect(workers.filter(alive)).toEqual([])
  })
})
