import { createHash, randomUUID } from 'node:crypto'
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis'
import IORedis from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startUpstashServer, type UpstashServer } from '../../dev/upstash/server'

const REDIS_URL = 'redis://127.0.0.1:6379'
const TOKEN = `test-token-${randomUUID()}`

let server: UpstashServer
let direct: IORedis
let prefix: string
let redis: Redis

const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex')
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function client(extra: { token?: string; enableAutoPipelining?: boolean } = {}): Redis {
  return new Redis({
    url: server.url,
    token: extra.token ?? TOKEN,
    enableTelemetry: false,
    // Off by default here so single calls exercise POST /; one test turns it on.
    enableAutoPipelining: extra.enableAutoPipelining ?? false,
    retry: false,
  })
}

interface RawReply {
  status: number
  body: unknown
}

async function raw(path: string, body: unknown, headers: Record<string, string> = {}, baseUrl = server.url): Promise<RawReply> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: JSON.parse(text) as unknown }
}

beforeAll(async () => {
  server = await startUpstashServer({ redisUrl: REDIS_URL, token: TOKEN, port: 0 })
  direct = new IORedis(REDIS_URL)
})

afterAll(async () => {
  await server?.close()
  await direct?.quit()
})

beforeEach(() => {
  prefix = `test:upstash-server:${randomUUID()}:`
  redis = client()
})

afterEach(async () => {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await direct.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  if (keys.length > 0) await direct.del(...keys)
})

describe('data types through @upstash/redis', () => {
  it('strings: set/get/incr/del and expiry with ex', async () => {
    const k = `${prefix}s`
    expect(await redis.set(k, 'hello')).toBe('OK')
    expect(await redis.get(k)).toBe('hello')
    expect(await redis.incr(`${prefix}n`)).toBe(1)
    expect(await redis.incr(`${prefix}n`)).toBe(2)
    expect(await redis.del(k, `${prefix}n`)).toBe(2)
    expect(await redis.get(k)).toBeNull()

    const e = `${prefix}expiring`
    expect(await redis.set(e, 'soon gone', { ex: 1 })).toBe('OK')
    expect(await redis.ttl(e)).toBe(1)
    expect(await redis.get(e)).toBe('soon gone')
    const deadline = Date.now() + 3_000
    while ((await redis.get(e)) !== null && Date.now() < deadline) await sleep(100)
    expect(await redis.get(e)).toBeNull()
  })

  it('hashes: hset/hgetall/hincrby', async () => {
    const k = `${prefix}h`
    expect(await redis.hset(k, { name: 'deal', stock: 10 })).toBe(2)
    expect(await redis.hincrby(k, 'stock', -3)).toBe(7)
    expect(await redis.hgetall(k)).toEqual({ name: 'deal', stock: 7 })
  })

  it('sorted sets: zadd/zrange withscores/zscore/zrem', async () => {
    const k = `${prefix}z`
    expect(await redis.zadd(k, { score: 3, member: 'c' }, { score: 1, member: 'a' }, { score: 2.5, member: 'b' })).toBe(3)
    expect(await redis.zrange(k, 0, -1, { withScores: true })).toEqual(['a', 1, 'b', 2.5, 'c', 3])
    expect(await redis.zscore(k, 'b')).toBe(2.5)
    expect(await redis.zrem(k, 'a', 'missing')).toBe(1)
    expect(await redis.zrange(k, 0, -1)).toEqual(['b', 'c'])
  })

  it('JSON values are serialized and parsed by the client', async () => {
    const k = `${prefix}json`
    const value = { id: 42, title: 'Flash deal', tags: ['a', 'b'], nested: { ok: true, price: 9.99 } }
    await redis.set(k, value)
    expect(await redis.get(k)).toEqual(value)
    expect(JSON.parse((await direct.get(k)) ?? '')).toEqual(value)
  })
})

describe('pipelines and transactions', () => {
  it('redis.pipeline() runs several commands and reports an erroring one', async () => {
    const p = redis.pipeline()
    p.set(`${prefix}a`, 'x').incr(`${prefix}n`).incr(`${prefix}n`).get(`${prefix}a`)
    expect(await p.exec()).toEqual(['OK', 1, 2, 'x'])

    const failing = redis.pipeline()
    failing.set(`${prefix}b`, 'text').incr(`${prefix}b`).set(`${prefix}c`, 'after')
    await expect(failing.exec()).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an integer/)
    // A pipeline is not atomic: the command after the failing one still ran.
    expect(await direct.get(`${prefix}c`)).toBe('after')

    const kept = redis.pipeline()
    kept.get(`${prefix}b`).incr(`${prefix}b`)
    const results = await kept.exec({ keepErrors: true })
    expect(results[0]).toEqual({ error: undefined, result: 'text' })
    expect(results[1]?.error).toMatch(/^ERR value is not an integer/)
  })

  it('redis.multi() runs in one transaction; runtime errors come back per command', async () => {
    const m = redis.multi()
    m.set(`${prefix}a`, 1).incr(`${prefix}a`).get(`${prefix}a`)
    expect(await m.exec()).toEqual(['OK', 2, 2])
    expect(server.stats().byCommand.MULTI).toBeUndefined()

    const failing = redis.multi()
    failing.set(`${prefix}b`, 'text').incr(`${prefix}b`).set(`${prefix}c`, 'after')
    await expect(failing.exec()).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an integer/)
    expect(await direct.get(`${prefix}c`)).toBe('after')
  })

  it('multi-exec with a command Redis refuses to queue aborts the whole transaction (400)', async () => {
    const reply = await raw('/multi-exec', [
      ['SET', `${prefix}never`, '1'],
      ['NOTACOMMAND', 'x'],
    ])
    expect(reply.status).toBe(400)
    expect(reply.body).toEqual({ error: expect.stringMatching(/^EXECABORT .*unknown command/) })
    expect(await direct.exists(`${prefix}never`)).toBe(0)
  })

  it('auto-pipelining batches many concurrent calls and resolves each correctly', async () => {
    const auto = client({ enableAutoPipelining: true })
    server.resetStats()
    const n = 50
    const writes = await Promise.all(Array.from({ length: n }, (_, i) => auto.set(`${prefix}k${i}`, `v${i}`)))
    expect(writes).toEqual(Array.from({ length: n }, () => 'OK'))
    const [reads, counters] = await Promise.all([
      Promise.all(Array.from({ length: n }, (_, i) => auto.get(`${prefix}k${i}`))),
      Promise.all(Array.from({ length: n }, () => auto.incr(`${prefix}counter`))),
    ])
    expect(reads).toEqual(Array.from({ length: n }, (_, i) => `v${i}`))
    expect([...counters].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
    await expect(auto.incr(`${prefix}k0`)).rejects.toThrow(/ERR value is not an integer/)

    const stats = server.stats()
    expect(stats.commands).toBe(3 * n + 1)
    expect(stats.byCommand).toMatchObject({ SET: n, GET: n, INCR: n + 1 })
    expect(stats.requests).toBeLessThanOrEqual(5)
  })
})

describe('scripts', () => {
  it('eval, scriptLoad (sha1 of the text), evalsha and NOSCRIPT for an unknown sha', async () => {
    expect(await redis.eval('return {KEYS[1], ARGV[1], 7}', [`${prefix}k`], ['arg'])).toEqual([`${prefix}k`, 'arg', 7])

    const script = `-- ${prefix}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`
    const sha = await redis.scriptLoad(script)
    expect(sha).toBe(sha1(script))
    expect(await redis.evalsha(sha, [`${prefix}n`], [5])).toBe(5)
    expect(await redis.evalsha(sha, [`${prefix}n`], [5])).toBe(10)

    await expect(redis.evalsha(sha1(`missing ${prefix}`), [], [])).rejects.toThrow(/NOSCRIPT/)
  })

  it('a script with the #!lua flags=allow-key-locking shebang runs, then hits by the client sha', async () => {
    const text = `#!lua flags=allow-key-locking\n-- ${prefix}\nreturn redis.call('INCR', KEYS[1])`
    const script = redis.createScript<number>(text)
    server.resetStats()
    // exec() tries EVALSHA first, falls back to EVAL on NOSCRIPT, then keeps using EVALSHA.
    expect(await script.exec([`${prefix}n`], [])).toBe(1)
    expect(await script.exec([`${prefix}n`], [])).toBe(2)
    expect(await script.exec([`${prefix}n`], [])).toBe(3)
    expect(server.stats().byCommand).toEqual({ EVALSHA: 3, EVAL: 1 })
    expect(await redis.scriptExists(sha1(text))).toEqual([1])
  })

  it('SCRIPT LOAD of a shebang script answers the client sha; kept flags still apply', async () => {
    const text = `#!lua flags=no-writes,allow-key-locking\n-- ${prefix}\nreturn redis.call('SET', KEYS[1], 'x')`
    expect(await redis.scriptLoad(text)).toBe(sha1(text))
    // no-writes is a Redis 7.0 flag, so it is kept and still forbids writes.
    await expect(redis.evalsha(sha1(text), [`${prefix}w`], [])).rejects.toThrow(/Write commands are not allowed/)

    const read = `#!lua flags=no-writes,allow-key-locking\n-- ${prefix}\nreturn redis.call('GET', KEYS[1])`
    await direct.set(`${prefix}r`, 'value')
    expect(await redis.eval(read, [`${prefix}r`], [])).toBe('value')
    expect(await redis.evalsha(sha1(read), [`${prefix}r`], [])).toBe('value')
  })

  it('scripts without a shebang are sent unchanged (same sha in Redis)', async () => {
    const text = `-- ${prefix}\nreturn 1`
    expect(await redis.eval(text, [], [])).toBe(1)
    expect(await direct.script('EXISTS', sha1(text))).toEqual([1])
  })
})

describe('encoding', () => {
  const allChars = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('')

  it('binary values round-trip byte for byte with Upstash-Encoding: base64', async () => {
    const k = `${prefix}bin`
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    await direct.set(k, bytes)
    const reply = await raw('/', ['GET', k], { 'upstash-encoding': 'base64' })
    expect(reply.status).toBe(200)
    const { result } = reply.body as { result: string }
    expect(Buffer.from(result, 'base64').equals(bytes)).toBe(true)

    const listed = await raw('/', ['MGET', k, `${prefix}missing`], { 'upstash-encoding': 'base64' })
    const [first, second] = (listed.body as { result: [string, null] }).result
    expect(Buffer.from(first, 'base64').equals(bytes)).toBe(true)
    expect(second).toBeNull()
  })

  it('strings of code points 0x00-0xff round-trip with and without base64', async () => {
    const k = `${prefix}chars`
    expect((await raw('/', ['SET', k, allChars])).body).toEqual({ result: 'OK' })
    expect((await raw('/', ['GET', k])).body).toEqual({ result: allChars })
    const encoded = await raw('/', ['GET', k], { 'upstash-encoding': 'base64' })
    const { result } = encoded.body as { result: string }
    expect(Buffer.from(result, 'base64').toString('utf8')).toBe(allChars)
    expect((await direct.getBuffer(k))?.equals(Buffer.from(allChars, 'utf8'))).toBe(true)
  })

  it('base64 mode encodes status replies and nested strings, never integers or nulls', async () => {
    const headers = { 'upstash-encoding': 'base64' }
    expect((await raw('/', ['SET', `${prefix}a`, 'v'], headers)).body).toEqual({ result: 'T0s=' })
    const piped = await raw(
      '/pipeline',
      [
        ['INCR', `${prefix}n`],
        ['GET', `${prefix}none`],
        ['EVAL', "return {1, 'OK', {'x'}}", 0],
      ],
      headers,
    )
    expect(piped.body).toEqual([{ result: 1 }, { result: null }, { result: [1, 'T0s=', ['eA==']] }])
  })

  it('unicode and emoji values through the client', async () => {
    const k = `${prefix}u`
    const value = 'héllo wörld — 你好 🚀🔥 👩‍👩‍👧 \u0000 end'
    await redis.set(k, value)
    expect(await redis.get(k)).toBe(value)
    await redis.hset(`${prefix}h`, { '🔑': '値' })
    expect(await redis.hgetall(`${prefix}h`)).toEqual({ '🔑': '値' })
  })

  it('booleans and numbers in the command array reach Redis as text', async () => {
    expect((await raw('/', ['SET', `${prefix}b`, true])).status).toBe(200)
    expect(await direct.get(`${prefix}b`)).toBe('true')
    expect((await raw('/', ['INCRBY', `${prefix}n`, 41])).body).toEqual({ result: 41 })
    expect((await raw('/', ['SET', `${prefix}f`, 1.5])).status).toBe(200)
    expect(await direct.get(`${prefix}f`)).toBe('1.5')
  })
})

describe('errors and protocol', () => {
  it('Redis error replies surface as client errors with the Redis message', async () => {
    const k = `${prefix}text`
    await redis.set(k, 'not a number')
    await expect(redis.incr(k)).rejects.toThrow(/ERR value is not an integer or out of range/)
    const reply = await raw('/', ['INCR', k])
    expect(reply.status).toBe(400)
    expect(reply.body).toEqual({ error: 'ERR value is not an integer or out of range' })
  })

  it('rejects a wrong or missing token with 401', async () => {
    const wrong = await raw('/', ['PING'], { authorization: 'Bearer nope' })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toEqual({ error: expect.any(String) })

    const res = await fetch(server.url, { method: 'POST', body: JSON.stringify(['PING']) })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: expect.any(String) })

    await expect(client({ token: 'wrong-token' }).get(`${prefix}x`)).rejects.toThrow(/Unauthorized/)
    expect((await raw('/pipeline', [['PING']], { authorization: `Bearer ${TOKEN}x` })).status).toBe(401)
  })

  it('answers malformed bodies with 400, unknown paths with 404 and huge bodies with 413', async () => {
    expect(await raw('/', '{not json')).toMatchObject({ status: 400, body: { error: expect.any(String) } })
    expect(await raw('/', { cmd: 'PING' })).toMatchObject({ status: 400, body: { error: expect.any(String) } })
    expect(await raw('/', [])).toMatchObject({ status: 400, body: { error: expect.any(String) } })
    expect(await raw('/', [{ nested: 1 }])).toMatchObject({ status: 400 })
    expect(await raw('/pipeline', [['PING'], 'PING'])).toMatchObject({ status: 400 })
    expect(await raw('/nope', ['PING'])).toMatchObject({ status: 404, body: { error: expect.any(String) } })
    const big = await raw('/', ['SET', `${prefix}big`, 'x'.repeat(11 * 1024 * 1024)])
    expect(big).toMatchObject({ status: 413, body: { error: expect.any(String) } })
    expect(await direct.exists(`${prefix}big`)).toBe(0)
    // The server is still fine afterwards.
    expect((await raw('/', ['PING'])).body).toEqual({ result: 'PONG' })
  })
})

describe('@upstash/ratelimit', () => {
  // Both algorithms bucket time in windows aligned on the epoch: stay clear of a boundary so
  // the six calls land in one window.
  async function awayFromWindowEdge(windowMs: number): Promise<void> {
    const into = Date.now() % windowMs
    if (into > windowMs - 2_000) await sleep(windowMs - into + 50)
  }

  it.each([
    ['slidingWindow', () => Ratelimit.slidingWindow(5, '10 s')],
    ['fixedWindow', () => Ratelimit.fixedWindow(5, '10 s')],
  ] as const)('%s(5, "10 s") allows exactly 5 calls', async (_name, limiter) => {
    const ratelimit = new Ratelimit({
      redis,
      limiter: limiter(),
      prefix: `${prefix}rl`,
      analytics: false,
      ephemeralCache: false,
    })
    await awayFromWindowEdge(10_000)
    server.resetStats()
    const results = []
    for (let i = 0; i < 6; i++) results.push(await ratelimit.limit('user-1'))
    expect(results.map((r) => r.success)).toEqual([true, true, true, true, true, false])
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0])
    expect(results.every((r) => r.reason === undefined)).toBe(true)
    // The shebang script is sent with EVAL at most once; later calls hit with the client's sha.
    const { byCommand } = server.stats()
    expect(byCommand.EVAL ?? 0).toBeLessThanOrEqual(1)
    expect(byCommand.EVALSHA).toBe(6)
  })
})

describe('stats', () => {
  it('counts commands of single requests and pipelines, and resets', async () => {
    server.resetStats()
    expect(server.stats()).toEqual({ requests: 0, commands: 0, byCommand: {} })

    await redis.get(`${prefix}a`)
    expect(server.stats()).toEqual({ requests: 1, commands: 1, byCommand: { GET: 1 } })

    const p = redis.pipeline()
    p.set(`${prefix}a`, 1).incr(`${prefix}a`).get(`${prefix}a`)
    await p.exec()
    expect(server.stats()).toEqual({ requests: 2, commands: 4, byCommand: { GET: 2, SET: 1, INCR: 1 } })

    const m = redis.multi()
    m.incr(`${prefix}a`).incr(`${prefix}a`).get(`${prefix}a`)
    await m.exec()
    expect(server.stats()).toEqual({ requests: 3, commands: 7, byCommand: { GET: 3, SET: 1, INCR: 3 } })

    const overHttp = await fetch(`${server.url}/__local/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(overHttp.status).toBe(200)
    expect(await overHttp.json()).toEqual(server.stats())
    expect((await fetch(`${server.url}/__local/stats`)).status).toBe(401)

    expect((await raw('/__local/stats/reset', '')).status).toBe(200)
    expect(server.stats()).toEqual({ requests: 0, commands: 0, byCommand: {} })
    server.resetStats()
    expect(server.stats().commands).toBe(0)
  })

  it('keeps stats per server instance', async () => {
    const other = await startUpstashServer({ redisUrl: REDIS_URL, token: TOKEN })
    try {
      server.resetStats()
      await raw('/', ['PING'], {}, other.url)
      expect(other.stats()).toEqual({ requests: 1, commands: 1, byCommand: { PING: 1 } })
      expect(server.stats().commands).toBe(0)
    } finally {
      await other.close()
    }
  })
})

describe('exposure and latency', () => {
  it('sends no CORS header on any answer, preflight included', async () => {
    const origin = { origin: 'https://evil.example' }
    const answers = await Promise.all([
      fetch(server.url, { method: 'POST', headers: { ...origin, authorization: `Bearer ${TOKEN}` }, body: '["PING"]' }),
      fetch(server.url, { method: 'POST', headers: origin, body: '["PING"]' }),
      fetch(server.url, {
        method: 'OPTIONS',
        headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      }),
      fetch(`${server.url}/pipeline`, { method: 'GET', headers: origin }),
      fetch(`${server.url}/elsewhere`, { method: 'POST', headers: origin }),
    ])
    expect(answers.map((res) => res.status)).toEqual([200, 401, 405, 405, 404])
    for (const res of answers) {
      expect([...res.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([])
      await res.arrayBuffer()
    }
  })

  it('adds delayMs before each answer (a far store region), with the client unchanged', async () => {
    const slow = await startUpstashServer({ redisUrl: REDIS_URL, token: TOKEN, delayMs: 150 })
    try {
      const far = new Redis({ url: slow.url, token: TOKEN, enableTelemetry: false, enableAutoPipelining: false, retry: false })
      const started = performance.now()
      expect(await far.ping()).toBe('PONG')
      expect(performance.now() - started).toBeGreaterThanOrEqual(150)
    } finally {
      await slow.close()
    }
  })
})

describe('when Redis is unreachable', () => {
  it('answers a 5xx error quickly and stays up', async () => {
    const down = await startUpstashServer({ redisUrl: 'redis://127.0.0.1:1', token: TOKEN })
    try {
      for (const [path, body] of [
        ['/', ['GET', 'x']],
        ['/', ['PING']],
        ['/pipeline', [['PING'], ['GET', 'x']]],
        ['/multi-exec', [['PING']]],
      ] as const) {
        const started = Date.now()
        const reply = await raw(path, body, {}, down.url)
        expect(Date.now() - started).toBeLessThan(2_000)
        expect(reply.status).toBeGreaterThanOrEqual(500)
        expect(reply.body).toEqual({ error: expect.stringMatching(/unavailable/) })
      }
      expect(down.stats().requests).toBe(4)
    } finally {
      await down.close()
    }
  })

  it('recovers by itself once Redis is reachable again', async () => {
    // A TCP proxy in front of the real Redis stands in for Redis going away and coming back.
    const sockets = new Set<Socket>()
    const proxy = (): Server =>
      createServer((inbound) => {
        const outbound = createConnection(6379, '127.0.0.1')
        for (const socket of [inbound, outbound]) {
          sockets.add(socket)
          socket.on('error', () => undefined).on('close', () => sockets.delete(socket))
        }
        inbound.pipe(outbound).pipe(inbound)
      })
    const listen = (srv: Server, port = 0): Promise<number> =>
      new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve((srv.address() as AddressInfo).port)))
    const stop = (srv: Server): Promise<void> =>
      new Promise((resolve) => {
        srv.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })

    let front = proxy()
    const port = await listen(front)
    const flaky = await startUpstashServer({ redisUrl: `redis://127.0.0.1:${port}`, token: TOKEN })
    try {
      expect((await raw('/', ['PING'], {}, flaky.url)).body).toEqual({ result: 'PONG' })
      await stop(front)
      const started = Date.now()
      const down = await raw('/', ['PING'], {}, flaky.url)
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(down.status).toBeGreaterThanOrEqual(500)

      front = proxy()
      await listen(front, port)
      let reply = down
      const deadline = Date.now() + 10_000
      while (reply.status !== 200 && Date.now() < deadline) {
        await sleep(100)
        reply = await raw('/', ['PING'], {}, flaky.url)
      }
      expect(reply.body).toEqual({ result: 'PONG' })
    } finally {
      await flaky.close()
      await stop(front)
    }
  })
})
