import { createServer, type Server, type Socket } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startThrowawayRedis, type RedisHandle } from '../../dev/redis'
import { createApp } from '../../src/app'
import type { Config } from '../../src/env'
import { selfHostDeps, type SelfHost } from '../../src/self-host/deps'
import { apiClient } from '../support/client'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { exceedUserLimit } from '../support/rate-limit-contract'
import { REDIS_URL, scanKeys } from '../support/redis'

// The self-hosted server's Redis timeout, short enough for a test.
const REDIS_TIMEOUT_MS = 500

// Postgres (through the local Neon server) and the config; Redis is ours, over ioredis.
let h: NodeHarness
const clients: Redis[] = []
const hosts: SelfHost[] = []
let privateRedis: RedisHandle | undefined
let blackHole: Server | undefined
const sockets: Socket[] = []

beforeAll(async () => {
  h = await startNodeHarness('rlio')
})
afterAll(async () => {
  for (const client of clients) client.disconnect()
  await Promise.all(hosts.map((host) => host.close()))
  for (const socket of sockets) socket.destroy()
  blackHole?.close()
  await privateRedis?.stop()
  await h?.close()
})

async function connect(url: string) {
  const client = new Redis(url)
  client.on('error', () => {})
  clients.push(client)
  await client.ping()
  return client
}

/**
 * The names of the commands a real ioredis connection writes, from now on.
 * It counts and passes every command on unchanged.
 */
function commandLog(client: Redis) {
  const names: string[] = []
  const send = client.sendCommand.bind(client)
  client.sendCommand = (command, stream) => {
    names.push(command.name)
    return send(command, stream)
  }
  return () => names.splice(0)
}

/**
 * The app as src/entry/node.ts builds it (selfHostDeps: engine and limiter
 * over one ioredis connection) on the Redis at `url`; `ready` waits for it.
 */
async function selfHosted(url: string, overrides: Partial<Config> = {}, ready = true) {
  const host = selfHostDeps({ ...h.config, ...overrides, REDIS_URL: url }, { redisTimeoutMs: REDIS_TIMEOUT_MS })
  hosts.push(host)
  if (ready) await host.redis.ping()
  const app = createApp(host.deps)
  return { redis: host.redis, api: apiClient(() => async (request) => app.fetch(request)) }
}

async function product(total_stock = 10) {
  const res = await h.api.call('POST', '/api/products', { name: 'Self-hosted', total_stock })
  expect(res.status).toBe(201)
  return res.body.data.id as string
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
const from = (ip: string) => ({ 'cf-connecting-ip': ip })

describe('@upstash/ratelimit over ioredis (the self-hosted server)', () => {
  it('per IP: the 6th request is 429 with Retry-After and RateLimit-*; other IPs go on; one EVALSHA per check', { timeout: 15_000 }, async () => {
    const id = await product()
    const { redis, api } = await selfHosted(REDIS_URL, { RATE_LIMIT_MAX_REQUESTS: 5, RATE_LIMIT_WINDOW_MS: 2000 })
    const commands = commandLog(redis)
    // Windows are aligned to multiples of their length; start just after a boundary (as on the edge).
    await wait(Math.ceil(Date.now() / 2000) * 2000 - Date.now() + 20)

    const replies = []
    const spent = []
    for (let i = 0; i < 6; i++) {
      replies.push(await api.call('GET', `/api/products/${id}`, undefined, from('203.0.113.7')))
      spent.push(commands())
    }
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429])
    expect(replies.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0', '0'])
    expect(replies[0]!.headers.get('ratelimit-limit')).toBe('5')
    expect(Number(replies[0]!.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(0)
    const blocked = replies[5]!
    expect(blocked.body).toMatchObject({ success: false, code: 'RATE_LIMITED', details: [{ scope: 'ip' }] })
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(blocked.headers.get('ratelimit-limit')).toBe('5')

    // The library's sha is that of the flagged script, which Redis 7.0 cannot hold: the first
    // check meets NOSCRIPT and EVALs the adapted script; from then on, one EVALSHA per check.
    expect(spent[0]).toEqual(['evalsha', 'eval'])
    expect(spent.slice(1)).toEqual(Array(5).fill(['evalsha']))

    // A client already blocked costs no command (the in-memory cache), another IP one EVALSHA.
    expect((await api.call('GET', `/api/products/${id}`, undefined, from('203.0.113.7'))).status).toBe(429)
    expect(commands()).toEqual([])
    expect((await api.call('GET', `/api/products/${id}`, undefined, from('198.51.100.9'))).status).toBe(200)
    expect(commands()).toEqual(['evalsha'])

    // The edge's keys: `{REDIS_PREFIX}:rl:ip:<ip>:<window>`.
    const keys = await scanKeys(redis, `{${h.prefix}}:rl:ip:203.0.113.7:*`)
    expect(keys).toHaveLength(1)
  })

  it('per customer on reserve, bulk and checkout: in the engine scripts, under `{prefix}:rl:c`, one customer does not block another', async () => {
    const id = await product(100)
    const { redis, api } = await selfHosted(REDIS_URL, { USER_RATE_LIMIT_MAX_REQUESTS: 2, USER_RATE_LIMIT_WINDOW_MS: 60_000 })
    await exceedUserLimit(api, id)
    const keys = await scanKeys(redis, `{${h.prefix}}:rl:c:*|greedy`)
    expect(keys).toHaveLength(1)
  })
})

describe('@upstash/ratelimit over ioredis when Redis misbehaves', () => {
  it('scripts lost (SCRIPT FLUSH on a Redis of its own): one EVAL to reload, then one EVALSHA again', async () => {
    privateRedis = await startThrowawayRedis()
    const { redis, api } = await selfHosted(privateRedis.url)
    const id = await product()
    const commands = commandLog(redis)
    expect((await api.call('GET', `/api/products/${id}`)).status).toBe(200)
    expect((await api.call('GET', `/api/products/${id}`)).status).toBe(200)
    expect(commands()).toEqual(['evalsha', 'eval', 'evalsha'])

    await (await connect(privateRedis.url)).script('FLUSH')
    const reloaded = await api.call('GET', `/api/products/${id}`)
    expect(reloaded.status).toBe(200)
    expect(reloaded.headers.get('ratelimit-remaining')).toBe(String(h.config.RATE_LIMIT_MAX_REQUESTS - 3))
    expect((await api.call('GET', `/api/products/${id}`)).status).toBe(200)
    expect(commands()).toEqual(['evalsha', 'eval', 'evalsha'])
  })

  it('Redis stopped (connection closed): reads fail open, writes get 503, never a hang', { timeout: 15_000 }, async () => {
    privateRedis ??= await startThrowawayRedis()
    const handle = privateRedis
    const { api } = await selfHosted(handle.url)
    const id = await product()
    expect((await api.call('GET', `/api/products/${id}`)).status).toBe(200)

    await handle.stop()
    const started = Date.now()
    const read = await api.call('GET', `/api/products/${id}`) // Postgres only: served without a limit
    expect(read.status).toBe(200)
    expect(read.headers.get('ratelimit-limit')).toBeNull()
    const write = await api.call('POST', '/api/reserve', { user_id: 'u', product_id: id, quantity: 1 })
    expect(write.status).toBe(503)
    expect(write.body.error).toMatch(/redis/)
    expect(write.headers.get('retry-after')).toBeTruthy()
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('Redis not answering (command timeout): reads fail open, writes get 503 within the timeout', { timeout: 15_000 }, async () => {
    // Accepts connections and never replies, not even to the ready check.
    blackHole = createServer((socket) => void sockets.push(socket))
    await new Promise<void>((resolve) => blackHole!.listen(0, '127.0.0.1', resolve))
    const address = blackHole.address()
    if (!address || typeof address === 'string') throw new Error('no address')
    const { api } = await selfHosted(`redis://127.0.0.1:${address.port}`, {}, false)
    const id = await product()

    const started = Date.now()
    expect((await api.call('GET', `/api/products/${id}`)).status).toBe(200)
    const write = await api.call('POST', '/api/reserve', { user_id: 'u', product_id: id, quantity: 1 })
    expect(write.status).toBe(503)
    expect(write.headers.get('retry-after')).toBeTruthy()
    expect(Date.now() - started).toBeLessThan(2 * REDIS_TIMEOUT_MS + 1000)
  })
})
