// The engine's Lua scripts and the one function that runs them: pinned SHAs,
// headers that match what the engine passes, EVALSHA → EVAL fallback, and the
// adapters' error translation. Real Redis (and the local Upstash server), no mocks.
import { createHash, randomBytes } from 'node:crypto'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstashServer, type UpstashServer } from '../../dev/upstash/server'
import { StoreUnavailableError } from '../../src/errors/store-unavailable'
import { ioredisPort } from '../../src/engine/adapters/ioredis'
import { upstashPort } from '../../src/engine/adapters/upstash'
import { createEngine } from '../../src/engine/engine'
import { NoScriptError, type ScriptPort } from '../../src/engine/port'
import { runScript, type LuaScript } from '../../src/engine/run-script'
import { ALL_SCRIPTS } from '../../src/engine/scripts'
import { dropPrefix, REDIS_URL, testPrefix } from '../support/redis'

const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex')

// ---------------------------------------------------------------- header parsing

/** A KEYS/ARGV slot of a header: `KEYS[3]` (fixed) or `KEYS[4i-1]` (one per item i = 1..n). */
type Slot = { kind: 'fixed'; index: number } | { kind: 'item'; mult: number; offset: number }

interface Header {
  keys: Slot[]
  argv: Slot[]
  keysNone: boolean
  argvNone: boolean
  returns: boolean
}

function parseHeader(source: string): Header {
  const block = /^--\[\[([\s\S]*?)\]\]/.exec(source)
  if (!block?.[1]) throw new Error('no header comment at the start of the source')
  const header: Header = { keys: [], argv: [], keysNone: false, argvNone: false, returns: false }
  for (const line of block[1].split('\n')) {
    const slot = /^\s*(KEYS|ARGV)\[(\d+|(?=i))(i)?([+-]\d+)?\]\s+\S/.exec(line)
    if (slot) {
      const [, which, num, perItem, offset] = slot
      const list = which === 'KEYS' ? header.keys : header.argv
      list.push(perItem ? { kind: 'item', mult: Number(num || 1), offset: Number(offset ?? 0) } : { kind: 'fixed', index: Number(num) })
      continue
    }
    const none = /^\s*(KEYS|ARGV)\s+none\b/.exec(line)
    if (none?.[1] === 'KEYS') header.keysNone = true
    if (none?.[1] === 'ARGV') header.argvNone = true
    if (/^\s*Returns\b/.test(line)) header.returns = true
  }
  return header
}

/** The 1-based indices a header's slots name for a call with n items. */
function expand(slots: Slot[], n: number): number[] {
  const out: number[] = []
  for (const s of slots) {
    if (s.kind === 'fixed') out.push(s.index)
    else for (let i = 1; i <= n; i++) out.push(s.mult * i + s.offset)
  }
  return out.sort((a, b) => a - b)
}

const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)
const hasItemSlots = (h: Header): boolean => [...h.keys, ...h.argv].some((s) => s.kind === 'item')

// ---------------------------------------------------------------- shared clients

let direct: Redis
let upstash: UpstashServer
const prefixes: string[] = []

beforeAll(async () => {
  direct = new Redis(REDIS_URL)
  upstash = await startUpstashServer({ redisUrl: REDIS_URL, token: 'test-token', port: 0 })
})

afterAll(async () => {
  await Promise.all(prefixes.map(dropPrefix))
  await upstash?.close()
  direct?.disconnect()
})

function upstashClient(opts: { enableAutoPipelining?: boolean; token?: string; url?: string } = {}): UpstashRedis {
  return new UpstashRedis({
    url: opts.url ?? upstash.url,
    token: opts.token ?? upstash.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    enableAutoPipelining: opts.enableAutoPipelining ?? true,
    retry: false,
  })
}

interface Call {
  via: 'evalsha' | 'eval'
  script: LuaScript | undefined
  keys: string[]
  args: string[]
}

/** Forwards to a real port and records every call. */
function recording(inner: ScriptPort): { port: ScriptPort; calls: Call[] } {
  const calls: Call[] = []
  const bySha = new Map(ALL_SCRIPTS.map((s) => [s.sha, s]))
  const bySource = new Map(ALL_SCRIPTS.map((s) => [s.source, s]))
  return {
    calls,
    port: {
      evalsha(sha, keys, args) {
        calls.push({ via: 'evalsha', script: bySha.get(sha), keys, args })
        return inner.evalsha(sha, keys, args)
      },
      eval(source, keys, args) {
        calls.push({ via: 'eval', script: bySource.get(source), keys, args })
        return inner.eval(source, keys, args)
      },
    },
  }
}

// ---------------------------------------------------------------- tests

describe('scripts', () => {
  it('ships every script once, by a unique name', () => {
    const names = ALL_SCRIPTS.map((s) => s.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names.sort()).toEqual(
      [
        'checkout',
        'claim-pending',
        'init-product',
        'list-holds',
        'list-pending',
        'ping',
        'queue-join',
        'queue-poll',
        'rate-hit',
        'reconcile',
        'release',
        'reserve',
        'reserve-bulk',
        'settle',
        'status',
        'stock-edit',
        'waiting-room',
      ].sort(),
    )
  })

  it.each(ALL_SCRIPTS.map((s) => [s.name, s] as const))('%s: the pinned sha is sha1(source)', (_, script) => {
    expect(script.sha).toMatch(/^[0-9a-f]{40}$/)
    expect(script.sha, `re-pin ${script.name} to ${sha1(script.source)} (npx tsx scripts/pin-lua-shas.ts)`).toBe(sha1(script.source))
  })

  it.each(ALL_SCRIPTS.map((s) => [s.name, s] as const))('%s: opens with a header naming KEYS, ARGV and the return value', (_, script) => {
    expect(script.source.startsWith('--[[')).toBe(true)
    const h = parseHeader(script.source)
    expect(h.keys.length > 0 || h.keysNone, 'KEYS listed (or "KEYS none")').toBe(true)
    expect(h.argv.length > 0 || h.argvNone, 'ARGV listed (or "ARGV none")').toBe(true)
    expect(h.returns, 'a Returns section').toBe(true)
    // Fixed slots are 1..k without gaps.
    const fixedKeys = h.keys.flatMap((s) => (s.kind === 'fixed' ? [s.index] : []))
    expect(fixedKeys).toEqual(oneTo(fixedKeys.length))
  })

  it.each(ALL_SCRIPTS.map((s) => [s.name, s] as const))('%s: builds no key inside Lua and never lists keys by pattern', (_, script) => {
    const body = script.source.replace(/^--\[\[[\s\S]*?\]\]/, '')
    // Every command's key is a KEYS entry or a variable bound to one (k_…, an opened product's p.k_…, or a helper's `key`).
    for (const call of body.matchAll(/redis\.call\(\s*('[A-Z]+'|cmd)\s*(?:,\s*([^,)]+))?/g)) {
      if (call[1] === "'TIME'") continue
      expect(call[2]?.trim(), call[0]).toMatch(/^(KEYS\[[\w\s*+-]+\]|(p\.)?k_\w+|key)$/)
    }
    for (const bound of body.matchAll(/local (k_[\w, ]+?) = ([^\n]+)/g)) {
      expect(bound[2], bound[0]).toMatch(/^KEYS\[[\w\s*+-]+\](, KEYS\[[\w\s*+-]+\])*$/)
    }
    expect(body).not.toMatch(/'(KEYS|SCAN)'/i)
    // Time comes from the server.
    if (/now/.test(body)) expect(body).toMatch(/redis\.call\('TIME'\)/)
  })

  it('each header names exactly as many KEYS and ARGV as the engine passes', async () => {
    const prefix = testPrefix('engs')
    prefixes.push(prefix)
    const { port, calls } = recording(ioredisPort(direct))
    const window = { max: 1000, windowMs: 60_000 }
    const limits = { address: window, customer: window, maxHeldPerAddress: 10 }
    const engine = createEngine(port, { prefix, holdSeconds: 60, holdMaxSeconds: 120, limits })
    const guard = { address: '192.0.2.1', customer: '192.0.2.1|alice' }
    const product = {
      name: 'Bulk item',
      total: 50,
      sold: 0,
      priceCents: 100,
      maxPerUser: null,
      saleStartsAt: null,
      saleEndsAt: null,
      stockVersion: 0,
    }

    const bulkSizes: number[] = []
    await engine.initProduct(1, product)
    await engine.initProduct(2, product)
    await engine.initProduct(3, product)
    await engine.reserve('alice', 1, 1)
    for (const n of [1, 2, 3]) {
      bulkSizes.push(n)
      await engine.reserveBulk(
        'bob',
        oneTo(n).map((id) => ({ productId: id, quantity: 1 })),
      )
    }
    await engine.release('alice', 1, guard)
    await engine.reserve('alice', 1, 1, guard)
    await engine.initProduct(4, { ...product, maxPerUser: 2, bought: new Map([['carol', 1]]) })
    await engine.chargeAddress(guard.address)
    await engine.status(1)
    await engine.listHolds('bob')
    await engine.ping()
    const keyHash = 'a'.repeat(64)
    const sale = { userId: 'alice', productId: 2, quantity: 1, amountCents: 100 }
    await engine.reserve('alice', 2, 1)
    await engine.checkout({ ...sale, orderId: 'order-1', idempotency: { keyHash, requestHash: 'r' } })
    await engine.checkout({ ...sale, orderId: 'order-2', guard })
    await engine.settle({ productId: 2, orderId: 'order-1', mode: 'confirm', record: { keyHash, kind: 'order', body: '{}' } })
    await engine.settle({ productId: 2, mode: 'release', keyHash })
    await engine.reserve('alice', 2, 1)
    await engine.checkout({ ...sale, orderId: 'order-3', idempotency: { keyHash: 'b'.repeat(64), requestHash: 'r' } })
    expect(await engine.beginStockEdit(2, 60, 'edit-1', 5000)).toMatchObject({ ok: true })
    await engine.endStockEdit(2, 'edit-1', { total: 60, stockVersion: 1 })
    await engine.settle({ productId: 2, mode: 'release', keyHash: 'b'.repeat(64) }) // its request gave up: the reconciler may claim it
    const queued = await engine.listPending(new Date(Date.now() + 1000), 10)
    expect(queued.map((q) => q.orderId)).toContain('order-3')
    const claimed = await engine.claimPending(queued.find((q) => q.orderId === 'order-3')!, 30_000, new Date(Date.now() + 1000))
    if (!claimed.ok) throw new Error(claimed.reason)
    await engine.settle({ productId: 2, orderId: 'order-3', mode: 'give_back', keyHash: 'b'.repeat(64), claim: claimed.claim })
    const report = await engine.inspect(2)
    await engine.repair(2, report!, { sold: 1, total: 60, stockVersion: 1, recordedOrderIds: ['order-2'] })
    await engine.reloadBought(4, new Map([['carol', 1]]))
    await engine.initProduct(5, { ...product, waitingRoom: { admitPerSecond: 100, admissionTtlSeconds: 60 }, waitingRoomVersion: 1 })
    const place = await engine.join('dave', 5, guard)
    if (!place.ok) throw new Error(place.reason)
    await engine.join('erin', 5)
    await engine.poll(5, place)
    await engine.reserve('dave', 5, 1, guard, true)
    bulkSizes.push(1)
    await engine.reserveBulk('dave', [{ productId: 5, quantity: 1, admitted: true }])
    await engine.setWaitingRoom(5, { admitPerSecond: 10, admissionTtlSeconds: 30 }, 2)
    await engine.setWaitingRoom(5, null, 3)

    const seen = new Set<string>()
    const bulkNs: number[] = []
    for (const call of calls) {
      expect(call.script, 'every call runs a shipped script').toBeDefined()
      const script = call.script as LuaScript
      seen.add(script.name)
      const h = parseHeader(script.source)
      let n = 0
      if (hasItemSlots(h)) {
        // n items: from the KEYS per item, or from the ARGV per item when no key repeats
        const [slots, given] = h.keys.some((s) => s.kind === 'item') ? [h.keys, call.keys] : [h.argv, call.args]
        const fixed = slots.filter((s) => s.kind === 'fixed').length
        const perItem = slots.filter((s) => s.kind === 'item').length
        n = (given.length - fixed) / perItem
        if (call.via === 'evalsha' && script.name === 'reserve-bulk') bulkNs.push(n)
      }
      expect(expand(h.keys, n), `${script.name} KEYS`).toEqual(oneTo(call.keys.length))
      expect(expand(h.argv, n), `${script.name} ARGV`).toEqual(oneTo(call.args.length))
      // Every key is in the namespace's hash tag: one Redis Cluster slot.
      for (const key of call.keys) expect(/^\{([^}]*)\}/.exec(key)?.[1]).toBe(prefix)
    }
    expect(bulkNs).toEqual(bulkSizes)
    expect([...seen].sort()).toEqual(ALL_SCRIPTS.map((s) => s.name).sort())
  })
})

describe('runScript', () => {
  /** A script no Redis has seen yet: its text carries a fresh nonce. */
  function freshScript(): LuaScript {
    const source = `-- nonce ${randomBytes(8).toString('hex')}\nreturn {KEYS[1], ARGV[1], 42}`
    return { name: 'fresh', source, sha: sha1(source) }
  }

  function counting(inner: ScriptPort) {
    const n = { evalsha: 0, eval: 0, noscript: 0 }
    const port: ScriptPort = {
      async evalsha(sha, keys, args) {
        n.evalsha++
        try {
          return await inner.evalsha(sha, keys, args)
        } catch (err) {
          if (err instanceof NoScriptError) n.noscript++
          throw err
        }
      },
      eval(source, keys, args) {
        n.eval++
        return inner.eval(source, keys, args)
      },
    }
    return { port, n }
  }

  const adapters: [string, () => ScriptPort][] = [
    ['ioredis', () => ioredisPort(direct)],
    ['upstash (auto-pipelining)', () => upstashPort(upstashClient({ enableAutoPipelining: true }))],
    ['upstash (one request per call)', () => upstashPort(upstashClient({ enableAutoPipelining: false }))],
  ]

  it.each(adapters)('%s: an uncached script gets NOSCRIPT, EVAL once, then EVALSHA hits', async (_, make) => {
    const script = freshScript()
    expect(await direct.script('EXISTS', script.sha)).toEqual([0])
    const { port, n } = counting(make())

    expect(await runScript(port, script, ['k'], ['a'])).toEqual(['k', 'a', 42])
    expect(n).toEqual({ evalsha: 1, noscript: 1, eval: 1 })
    expect(await direct.script('EXISTS', script.sha)).toEqual([1])

    expect(await runScript(port, script, ['k2'], ['b'])).toEqual(['k2', 'b', 42])
    expect(n).toEqual({ evalsha: 2, noscript: 1, eval: 1 })
  })

  it('falls back when the port throws NoScriptError once, and only then', async () => {
    const script = freshScript()
    await direct.script('LOAD', script.source)
    const inner = ioredisPort(direct)
    let thrown = 0
    const { port, n } = counting({
      evalsha: async (sha, keys, args) => {
        if (thrown++ === 0) throw new NoScriptError(sha)
        return inner.evalsha(sha, keys, args)
      },
      eval: (source, keys, args) => inner.eval(source, keys, args),
    })
    expect(await runScript(port, script, ['x'], ['y'])).toEqual(['x', 'y', 42])
    expect(await runScript(port, script, ['x'], ['y'])).toEqual(['x', 'y', 42])
    expect(n).toEqual({ evalsha: 2, noscript: 1, eval: 1 })
  })

  it('does not fall back on other errors: a script bug surfaces as itself, not as unavailability', async () => {
    const source = `-- bug ${randomBytes(8).toString('hex')}\nreturn redis.call('HGET', KEYS[1])`
    const script: LuaScript = { name: 'bug', source, sha: sha1(source) }
    for (const [, make] of adapters) {
      const { port, n } = counting(make())
      const err = await runScript(port, script, ['k'], []).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Error)
      expect(err).not.toBeInstanceOf(StoreUnavailableError)
      expect(err).not.toBeInstanceOf(NoScriptError)
      expect(String((err as Error).message)).toMatch(/wrong number of arg/i)
      // once uncached (EVALSHA → EVAL), then cached: the error comes from EVALSHA, no EVAL
      const before = n.eval
      await expect(runScript(port, script, ['k'], [])).rejects.toThrow(/wrong number of arg/i)
      expect(n.eval).toBe(before)
    }
  })
})

describe('adapters translate an unreachable store into StoreUnavailableError', () => {
  const script: LuaScript = { name: 'ping', source: 'return 1', sha: sha1('return 1') }

  it('ioredis: connection refused', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    })
    dead.on('error', () => {})
    try {
      const err = await runScript(ioredisPort(dead), script, [], []).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreUnavailableError)
      expect((err as StoreUnavailableError).store).toBe('redis')
    } finally {
      dead.disconnect()
    }
  })

  it('upstash: nothing listening, a wrong token, and a server whose Redis is down (5xx)', async () => {
    const refused = upstashPort(upstashClient({ url: 'http://127.0.0.1:1' }))
    await expect(runScript(refused, script, [], [])).rejects.toBeInstanceOf(StoreUnavailableError)

    const badToken = upstashPort(upstashClient({ token: 'wrong', enableAutoPipelining: false }))
    await expect(runScript(badToken, script, [], [])).rejects.toBeInstanceOf(StoreUnavailableError)

    const orphan = await startUpstashServer({ redisUrl: 'redis://127.0.0.1:1', token: 'test-token', port: 0 })
    try {
      for (const enableAutoPipelining of [false, true]) {
        const down = upstashPort(upstashClient({ url: orphan.url, enableAutoPipelining }))
        await expect(runScript(down, script, [], [])).rejects.toBeInstanceOf(StoreUnavailableError)
      }
    } finally {
      await orphan.close()
    }
  })
})
