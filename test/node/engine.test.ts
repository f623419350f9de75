// The reservation engine against a real Redis, once per adapter: ioredis
// directly, and @upstash/redis through the local Upstash REST server. Each test
// has its own key prefix; holds expire for real (no fake clocks).
import { performance } from 'node:perf_hooks'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Redis, type Command } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstashServer } from '../../dev/upstash/server'
import { ioredisPort } from '../../src/engine/adapters/ioredis'
import { upstashPort } from '../../src/engine/adapters/upstash'
import { createEngine, type Engine, type EngineOptions, type ProductInit } from '../../src/engine/engine'
import { createKeys } from '../../src/engine/keys'
import type { ScriptPort } from '../../src/engine/port'
import { reserveScript } from '../../src/engine/scripts'
import { dropPrefix, REDIS_URL, testPrefix } from '../support/redis'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const sleepUntil = (epochMs: number): Promise<void> => sleep(Math.max(0, epochMs - Date.now()))

// ---------------------------------------------------------------- adapters under test

interface Harness {
  port: ScriptPort
  /** An independent client (its own connection), for concurrency. */
  newPort(): ScriptPort
  /** Redis commands sent by this harness's clients since resetCommands(). */
  commands(): { total: number; evalsha: number }
  resetCommands(): void
  close(): Promise<void>
}

interface AdapterFactory {
  name: string
  create(): Promise<Harness>
}

const ioredisFactory: AdapterFactory = {
  name: 'ioredis',
  async create() {
    const counts = { total: 0, evalsha: 0 }
    const clients: Redis[] = []
    const newClient = (): Redis => {
      const client = new Redis(REDIS_URL)
      const send = client.sendCommand.bind(client)
      client.sendCommand = ((command: Command, stream?: never) => {
        counts.total++
        if (command.name.toLowerCase() === 'evalsha') counts.evalsha++
        return send(command, stream)
      }) as typeof client.sendCommand
      clients.push(client)
      return client
    }
    return {
      port: ioredisPort(newClient()),
      newPort: () => ioredisPort(newClient()),
      commands: () => ({ ...counts }),
      resetCommands: () => Object.assign(counts, { total: 0, evalsha: 0 }),
      close: async () => {
        for (const c of clients) c.disconnect()
      },
    }
  },
}

const upstashFactory: AdapterFactory = {
  name: 'upstash (local REST server)',
  async create() {
    const server = await startUpstashServer({ redisUrl: REDIS_URL, token: 'test-token', port: 0 })
    const newPort = (): ScriptPort =>
      upstashPort(
        new UpstashRedis({
          url: server.url,
          token: server.token,
          automaticDeserialization: false,
          enableTelemetry: false,
        }),
      )
    return {
      port: newPort(),
      newPort,
      commands: () => {
        const s = server.stats()
        return { total: s.commands, evalsha: s.byCommand.EVALSHA ?? 0 }
      },
      resetCommands: () => server.resetStats(),
      close: () => server.close(),
    }
  },
}

const ADAPTERS: AdapterFactory[] = [ioredisFactory, upstashFactory]

// ---------------------------------------------------------------- shared helpers

let direct: Redis
const prefixes: string[] = []

beforeAll(() => {
  direct = new Redis(REDIS_URL)
})

afterAll(async () => {
  await Promise.all(prefixes.map(dropPrefix))
  direct?.disconnect()
})

const product = (p: Partial<ProductInit> = {}): ProductInit => ({
  name: 'Flash item',
  total: 10,
  sold: 0,
  priceCents: 1999,
  maxPerUser: null,
  saleStartsAt: null,
  saleEndsAt: null,
  stockVersion: 0,
  ...p,
})

/** Raw (unpurged) view of a product's holds, straight from Redis. */
async function rawHolds(prefix: string, id: number) {
  const k = createKeys(prefix).product(id)
  const [holds, exp, reserved] = await Promise.all([
    direct.hgetall(k.hold),
    direct.zrange(k.exp, 0, -1, 'WITHSCORES'),
    direct.hget(k.product, 'reserved'),
  ])
  const expiry = new Map<string, number>()
  for (let i = 0; i < exp.length; i += 2) expiry.set(exp[i] as string, Number(exp[i + 1]))
  // hold value: "qty|first reserve ms|address"
  const qty = Object.fromEntries(Object.entries(holds).map(([user, v]) => [user, v.split('|')[0] as string]))
  const starts = Object.values(holds).filter((v) => /^\d+\|\d+\|/.test(v)).length
  const sum = Object.values(qty).reduce((s, q) => s + Number(q), 0)
  return { qty, expiry, starts, reserved: Number(reserved), sum }
}

/**
 * One-unit holds for many users, fast: the reserve script itself, unguarded,
 * pipelined over the direct connection (ARGV as its header says).
 */
async function pipelinedHolds(prefix: string, productId: number, users: string[], holdMs: number): Promise<void> {
  const k = createKeys(prefix)
  expect(await direct.script('LOAD', reserveScript.source)).toBe(reserveScript.sha)
  const pipe = direct.pipeline()
  for (const user of users) {
    const keys = [...k.productArgs(productId), k.userIndex(user), k.unused, k.unused]
    pipe.evalsha(reserveScript.sha, keys.length, ...keys, user, String(productId), '1', String(holdMs), String(holdMs), '', '0', '', '', '', '', '')
  }
  const replies = (await pipe.exec()) ?? []
  expect(replies.filter(([err, reply]) => err === null && (reply as unknown[])[3] === 'OK')).toHaveLength(users.length)
}

describe.each(ADAPTERS)('engine via $name', (factory) => {
  let h: Harness

  beforeAll(async () => {
    h = await factory.create()
  })
  afterAll(async () => {
    await h?.close()
  })

  function setup(opts: Partial<Omit<EngineOptions, 'prefix'>> = {}, port?: ScriptPort) {
    const prefix = testPrefix('eng')
    prefixes.push(prefix)
    const engineOpts = { prefix, holdSeconds: 60, holdMaxSeconds: 120, ...opts }
    return { prefix, engine: createEngine(port ?? h.port, engineOpts), engineOpts }
  }

  it('initProduct is init-if-absent and stores price, limit and sale window in the product hash', async () => {
    const { prefix, engine } = setup()
    const starts = new Date('2020-01-01T00:00:00Z')
    await engine.initProduct(1, product({ total: 7, sold: 2, maxPerUser: 3, saleStartsAt: starts }))
    expect(await direct.hgetall(createKeys(prefix).product(1).product)).toEqual({
      name: 'Flash item',
      total: '7',
      sold: '2',
      reserved: '0',
      price: '1999',
      max_per_user: '3',
      sale_starts_at: String(starts.getTime()),
      sale_ends_at: '',
      pending: '0',
      total_version: '0',
      wr_rate: '',
      wr_ttl: '',
      wr_version: '0',
    })
    expect(await engine.reserve('alice', 1, 2)).toMatchObject({ ok: true, quantity: 2 })
    // A live product is never overwritten.
    await engine.initProduct(1, product({ total: 999, sold: 0 }))
    expect(await engine.status(1)).toEqual({
      ok: true,
      name: 'Flash item',
      total: 7,
      sold: 2,
      reserved: 2,
      available: 3,
      waitingRoom: null,
      queueLength: 0,
    })
    await engine.initProduct(2, product({ priceCents: null }))
    expect(await direct.hget(createKeys(prefix).product(2).product, 'price')).toBe('')
  })

  it('reserve adds to the hold and restarts its clock; keys follow the layout', async () => {
    const { prefix, engine } = setup({ holdSeconds: 60, holdMaxSeconds: 600 })
    await engine.initProduct(7, product({ total: 10, sold: 1 }))

    const before = Date.now()
    const first = await engine.reserve('alice', 7, 2)
    if (!first.ok) throw new Error(first.reason)
    expect(first.quantity).toBe(2)
    expect(first.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 60_000 - 50)
    expect(first.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 60_000 + 50)

    await sleep(30)
    const again = await engine.reserve('alice', 7, 3)
    if (!again.ok) throw new Error(again.reason)
    expect(again.quantity).toBe(5)
    expect(again.expiresAt.getTime()).toBeGreaterThan(first.expiresAt.getTime())
    expect(await engine.status(7)).toEqual({
      ok: true,
      name: 'Flash item',
      total: 10,
      sold: 1,
      reserved: 5,
      available: 4,
      waitingRoom: null,
      queueLength: 0,
    })
    expect(await engine.listHolds('alice')).toEqual([{ productId: 7, quantity: 5, expiresAt: again.expiresAt, mayBuyMore: null }])

    const keys = createKeys(prefix)
    const ns = `{${prefix}}`
    expect(keys.product(7)).toEqual({
      product: `${ns}:p:7`,
      exp: `${ns}:p:7:exp`,
      hold: `${ns}:p:7:hold`,
      addr: `${ns}:p:7:addr`,
      bought: `${ns}:p:7:bought`,
      pending: `${ns}:p:7:pending`,
    })
    expect(keys.userIndex('alice')).toBe(`${ns}:u:alice`)
    expect(await direct.zscore(`${ns}:p:7:exp`, 'alice')).toBe(String(again.expiresAt.getTime()))
    expect(await direct.hget(`${ns}:p:7:hold`, 'alice')).toBe(`5|${first.expiresAt.getTime() - 60_000}|${again.expiresAt.getTime()}|`)
    expect(await direct.hget(`${ns}:u:alice`, '7')).toBe(`5|${again.expiresAt.getTime()}|`)
    // The user's index lives exactly as long as its latest hold.
    expect(await direct.pexpiretime(`${ns}:u:alice`)).toBe(again.expiresAt.getTime())
  })

  it('user ids that look like key suffixes do not collide ("a" and "a:qty")', async () => {
    const { engine } = setup()
    await engine.initProduct(1, product())
    await engine.initProduct(2, product())
    await engine.reserve('a', 1, 1)
    await engine.reserve('a:qty', 2, 2)
    expect((await engine.listHolds('a')).map((x) => [x.productId, x.quantity])).toEqual([[1, 1]])
    expect((await engine.listHolds('a:qty')).map((x) => [x.productId, x.quantity])).toEqual([[2, 2]])
    await expect(engine.listHolds('*')).rejects.toThrow(RangeError)
  })

  it('caps a hold at holdMaxSeconds from its first reserve however often it is re-reserved', async () => {
    const { engine } = setup({ holdSeconds: 1, holdMaxSeconds: 2 })
    await engine.initProduct(1, product())

    const r1 = await engine.reserve('carol', 1, 1)
    if (!r1.ok) throw new Error(r1.reason)
    const start = r1.expiresAt.getTime() - 1_000 // server time of the first reserve
    const cap = start + 2_000

    await sleepUntil(start + 600)
    const r2 = await engine.reserve('carol', 1, 1)
    if (!r2.ok) throw new Error(r2.reason)
    expect(r2.expiresAt.getTime()).toBeGreaterThan(r1.expiresAt.getTime())
    expect(r2.expiresAt.getTime()).toBeLessThan(cap)

    await sleepUntil(start + 1_200)
    const r3 = await engine.reserve('carol', 1, 1)
    if (!r3.ok) throw new Error(r3.reason)
    expect(r3.expiresAt.getTime()).toBe(cap)

    await sleepUntil(start + 1_750)
    const r4 = await engine.reserve('carol', 1, 1)
    if (!r4.ok) throw new Error(r4.reason)
    expect(r4.quantity).toBe(4)
    expect(r4.expiresAt.getTime()).toBe(cap) // no longer extended

    await sleepUntil(cap + 50)
    expect(await engine.listHolds('carol')).toEqual([])
    expect(await engine.status(1)).toMatchObject({ reserved: 0, available: 10 })
    expect(await engine.release('carol', 1)).toEqual({ ok: false, reason: 'NO_RESERVATION' })

    // After expiry a reserve starts a new hold with a new clock.
    const fresh = await engine.reserve('carol', 1, 1)
    if (!fresh.ok) throw new Error(fresh.reason)
    expect(fresh.quantity).toBe(1)
    expect(fresh.expiresAt.getTime()).toBeGreaterThan(cap)
  })

  it('refuses for lack of stock with the units still available', async () => {
    const { engine } = setup()
    await engine.initProduct(1, product({ total: 10, sold: 3 }))
    expect(await engine.reserve('a', 1, 5)).toMatchObject({ ok: true, quantity: 5 })
    expect(await engine.reserve('b', 1, 3)).toEqual({ ok: false, reason: 'INSUFFICIENT_STOCK', available: 2 })
    expect(await engine.status(1)).toEqual({
      ok: true,
      name: 'Flash item',
      total: 10,
      sold: 3,
      reserved: 5,
      available: 2,
      waitingRoom: null,
      queueLength: 0,
    })
    expect(await engine.reserve('b', 1, 2)).toMatchObject({ ok: true, quantity: 2 })
    expect(await engine.reserve('c', 1, 1)).toEqual({ ok: false, reason: 'INSUFFICIENT_STOCK', available: 0 })
    expect(await engine.listHolds('c')).toEqual([])
  })

  it('applies max_per_user to the whole hold after adding', async () => {
    const { engine } = setup()
    await engine.initProduct(1, product({ total: 100, maxPerUser: 3 }))
    expect(await engine.reserve('a', 1, 2)).toMatchObject({ ok: true, quantity: 2 })
    expect(await engine.reserve('a', 1, 2)).toEqual({ ok: false, reason: 'LIMIT_EXCEEDED', maxPerUser: 3, held: 2, bought: 0 })
    expect(await engine.reserve('a', 1, 1)).toMatchObject({ ok: true, quantity: 3 })
    expect(await engine.reserve('a', 1, 1)).toEqual({ ok: false, reason: 'LIMIT_EXCEEDED', maxPerUser: 3, held: 3, bought: 0 })
    expect(await engine.reserve('b', 1, 4)).toEqual({ ok: false, reason: 'LIMIT_EXCEEDED', maxPerUser: 3, held: 0, bought: 0 })
    expect(await engine.reserve('b', 1, 3)).toMatchObject({ ok: true, quantity: 3 })
    expect(await engine.status(1)).toMatchObject({ reserved: 6 })
  })

  it('only reserves inside the sale window [sale_starts_at, sale_ends_at)', async () => {
    const { engine } = setup()
    const hour = 3_600_000
    const now = Date.now()
    await engine.initProduct(1, product({ saleStartsAt: new Date(now + hour) }))
    await engine.initProduct(2, product({ saleEndsAt: new Date(now - hour) }))
    await engine.initProduct(3, product({ saleStartsAt: new Date(now - hour), saleEndsAt: new Date(now + hour) }))
    const past = new Date(now - 2 * hour)
    await engine.initProduct(4, product({ saleStartsAt: past, saleEndsAt: past })) // empty window

    expect(await engine.reserve('a', 1, 1)).toEqual({ ok: false, reason: 'SALE_NOT_ACTIVE' })
    expect(await engine.reserve('a', 2, 1)).toEqual({ ok: false, reason: 'SALE_NOT_ACTIVE' })
    expect(await engine.reserve('a', 4, 1)).toEqual({ ok: false, reason: 'SALE_NOT_ACTIVE' })
    expect(await engine.reserve('a', 3, 1)).toMatchObject({ ok: true, quantity: 1 })
    expect(
      await engine.reserveBulk('a', [
        { productId: 3, quantity: 1 },
        { productId: 1, quantity: 1 },
      ]),
    ).toEqual({ ok: false, reason: 'SALE_NOT_ACTIVE', index: 1, productId: 1 })
    expect(await engine.status(3)).toMatchObject({ reserved: 1 })
  })

  it('release gives the units back; a second release, or an unknown product, says so', async () => {
    const { prefix, engine } = setup()
    await engine.initProduct(1, product({ total: 5 }))
    await engine.reserve('a', 1, 3)
    await engine.reserve('b', 1, 1)
    expect(await engine.release('a', 1)).toEqual({ ok: true, released: 3 })
    expect(await engine.status(1)).toEqual({
      ok: true,
      name: 'Flash item',
      total: 5,
      sold: 0,
      reserved: 1,
      available: 4,
      waitingRoom: null,
      queueLength: 0,
    })
    expect(await engine.listHolds('a')).toEqual([])
    expect(await direct.exists(createKeys(prefix).userIndex('a'))).toBe(0)
    expect(await engine.release('a', 1)).toEqual({ ok: false, reason: 'NO_RESERVATION' })
    expect(await engine.release('a', 99)).toEqual({ ok: false, reason: 'NOT_LOADED' })
    expect(await engine.listHolds('b')).toHaveLength(1)
  })

  it('answers NOT_LOADED for an unknown product everywhere, and works once it is loaded', async () => {
    const { engine } = setup()
    expect(await engine.reserve('a', 42, 1)).toEqual({ ok: false, reason: 'NOT_LOADED' })
    expect(await engine.release('a', 42)).toEqual({ ok: false, reason: 'NOT_LOADED' })
    expect(await engine.status(42)).toEqual({ ok: false, reason: 'NOT_LOADED' })
    expect(await engine.reserveBulk('a', [{ productId: 42, quantity: 1 }])).toEqual({
      ok: false,
      reason: 'NOT_LOADED',
      index: 0,
      productId: 42,
      missingProductIds: [42],
    })
    expect(await engine.listHolds('a')).toEqual([])
    await engine.initProduct(42, product({ total: 3 }))
    expect(await engine.reserve('a', 42, 1)).toMatchObject({ ok: true, quantity: 1 })
  })

  it('listHolds is sorted by expiry and never shows an expired hold', async () => {
    const { prefix, engine } = setup({ holdSeconds: 1, holdMaxSeconds: 10 })
    for (const id of [1, 2, 3]) await engine.initProduct(id, product())

    const r1 = await engine.reserve('dave', 1, 1)
    if (!r1.ok) throw new Error(r1.reason)
    const t0 = r1.expiresAt.getTime() - 1_000
    await sleepUntil(t0 + 250)
    await engine.reserve('dave', 2, 2)
    await sleepUntil(t0 + 500)
    await engine.reserve('dave', 3, 3)
    const ids = async () => (await engine.listHolds('dave')).map((x) => [x.productId, x.quantity])
    expect(await ids()).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ])
    const listed = await engine.listHolds('dave')
    expect(listed.map((x) => x.expiresAt.getTime())).toEqual([...listed.map((x) => x.expiresAt.getTime())].sort())

    await sleepUntil(t0 + 600)
    await engine.reserve('dave', 2, 1) // restarts product 2's clock: now the latest
    expect(await ids()).toEqual([
      [1, 1],
      [3, 3],
      [2, 3],
    ])

    await sleepUntil(t0 + 1_150) // product 1's hold (expiry t0+1000) is gone
    expect(await ids()).toEqual([
      [3, 3],
      [2, 3],
    ])
    expect(await direct.hlen(createKeys(prefix).userIndex('dave'))).toBe(2) // stale entry dropped
    expect(await engine.status(1)).toMatchObject({ reserved: 0 })

    await sleepUntil(t0 + 1_900) // all expired
    expect(await engine.listHolds('dave')).toEqual([])
  })

  it('10,000 expired holds on one product: ONE reserve of the whole stock succeeds', async () => {
    // Holds of 2 s: long enough that none expires while the 10,000 are being built.
    const { prefix, engine, engineOpts } = setup({ holdSeconds: 2, holdMaxSeconds: 4 })
    const N = 10_000
    await engine.initProduct(1, product({ total: N }))
    const k = createKeys(prefix)
    const pk = k.product(1)
    const built = performance.now()
    await pipelinedHolds(
      prefix,
      1,
      Array.from({ length: N }, (_, i) => `u${i}`),
      engineOpts.holdSeconds * 1000,
    )
    const buildMs = performance.now() - built
    expect(await direct.zcard(pk.exp)).toBe(N)
    expect(await direct.hget(pk.product, 'reserved')).toBe(String(N))

    const last = await direct.zrange(pk.exp, -1, -1, 'WITHSCORES')
    await sleepUntil(Number(last[1]) + 50)
    expect(await direct.zcard(pk.exp)).toBe(N) // nothing purged them yet

    h.resetCommands()
    const t = performance.now()
    const whale = await engine.reserve('whale', 1, N)
    const purgeMs = performance.now() - t
    expect(h.commands()).toEqual({ total: 1, evalsha: 1 })
    expect(whale).toMatchObject({ ok: true, quantity: N })
    expect(await engine.status(1)).toEqual({
      ok: true,
      name: 'Flash item',
      total: N,
      sold: 0,
      reserved: N,
      available: 0,
      waitingRoom: null,
      queueLength: 0,
    })
    expect(await direct.zcard(pk.exp)).toBe(1)
    expect(await direct.hlen(pk.hold)).toBe(1)
    console.log(
      `[engine via ${factory.name}] built ${N} holds in ${buildMs.toFixed(0)} ms; ` + `one reserve purging them all took ${purgeMs.toFixed(1)} ms`,
    )
  })

  it('reserveBulk is all or nothing and says which item failed', async () => {
    const { engine } = setup()
    await engine.initProduct(1, product({ total: 5 }))
    await engine.initProduct(2, product({ total: 2 }))
    await engine.initProduct(4, product({ total: 10, maxPerUser: 2 }))
    await engine.reserve('erin', 1, 1)

    const snapshot = async () => ({
      statuses: await Promise.all([1, 2, 3, 4].map((id) => engine.status(id))),
      holds: await engine.listHolds('erin'),
    })
    const before = await snapshot()

    expect(
      await engine.reserveBulk('erin', [
        { productId: 1, quantity: 2 },
        { productId: 2, quantity: 3 },
      ]),
    ).toEqual({ ok: false, reason: 'INSUFFICIENT_STOCK', available: 2, index: 1, productId: 2 })
    expect(
      await engine.reserveBulk('erin', [
        { productId: 1, quantity: 1 },
        { productId: 4, quantity: 1 },
        { productId: 4, quantity: 2 },
      ]),
    ).toEqual({ ok: false, reason: 'LIMIT_EXCEEDED', maxPerUser: 2, held: 1, bought: 0, index: 2, productId: 4 })
    expect(
      await engine.reserveBulk('erin', [
        { productId: 1, quantity: 1 },
        { productId: 3, quantity: 1 },
        { productId: 5, quantity: 1 },
      ]),
    ).toEqual({ ok: false, reason: 'NOT_LOADED', index: 1, productId: 3, missingProductIds: [3, 5] })
    expect(await snapshot()).toEqual(before)

    // The caller hydrates the missing product and retries.
    await engine.initProduct(3, product({ total: 1 }))
    const ok = await engine.reserveBulk('erin', [
      { productId: 1, quantity: 2 },
      { productId: 2, quantity: 2 },
      { productId: 3, quantity: 1 },
    ])
    if (!ok.ok) throw new Error(ok.reason)
    expect(ok.items.map((i) => [i.productId, i.quantity])).toEqual([
      [1, 3],
      [2, 2],
      [3, 1],
    ])
    expect(new Set(ok.items.map((i) => i.expiresAt.getTime())).size).toBe(1)
    expect((await engine.listHolds('erin')).map((x) => [x.productId, x.quantity]).sort()).toEqual([
      [1, 3],
      [2, 2],
      [3, 1],
    ])
    expect(await engine.status(1)).toMatchObject({ reserved: 3, available: 2 })
    expect(await engine.status(2)).toMatchObject({ reserved: 2, available: 0 })
    expect(await engine.status(3)).toMatchObject({ reserved: 1, available: 0 })
  })

  it('reserve, reserveBulk, release, status and listHolds are one Redis command each', async () => {
    const { engine } = setup()
    await engine.initProduct(1, product())
    await engine.initProduct(2, product())
    const calls: [string, () => Promise<unknown>][] = [
      ['reserve', () => engine.reserve('f', 1, 1)],
      [
        'reserveBulk',
        () =>
          engine.reserveBulk('f', [
            { productId: 1, quantity: 1 },
            { productId: 2, quantity: 1 },
          ]),
      ],
      ['status', () => engine.status(1)],
      ['listHolds', () => engine.listHolds('f')],
      ['release', () => engine.release('f', 1)],
    ]
    for (const [, call] of calls) await call() // Redis now has every script cached
    await engine.reserve('f', 1, 1)
    for (const [name, call] of calls) {
      h.resetCommands()
      await call()
      expect(h.commands(), name).toEqual({ total: 1, evalsha: 1 })
    }
  })

  it("purges one batch of lapsed holds per call; a refusal, status or the caller's own lapsed hold looks further", async () => {
    const { prefix, engine } = setup({ holdSeconds: 30, holdMaxSeconds: 60 })
    await engine.initProduct(1, product({ total: 1_500 }))
    await engine.initProduct(2, product({ total: 300 }))
    const k = createKeys(prefix)
    // Zero-padded ids: holds made in this order expire in this order (ties break by member).
    const users = Array.from({ length: 1_000 }, (_, i) => `l${String(i).padStart(4, '0')}`)
    await pipelinedHolds(prefix, 1, users, 1_000)
    await pipelinedHolds(prefix, 2, users.slice(0, 300), 1_000)
    const last = await direct.zrange(k.product(1).exp, -1, -1, 'WITHSCORES')
    const last2 = await direct.zrange(k.product(2).exp, -1, -1, 'WITHSCORES')
    expect(last[0]).toBe(users[999])
    await sleepUntil(Math.max(Number(last[1]), Number(last2[1])) + 50)

    // Stock to spare: one batch of 200 is purged, the oldest first.
    expect(await engine.reserve('fresh', 1, 1)).toMatchObject({ ok: true, quantity: 1 })
    expect(await direct.zcard(k.product(1).exp)).toBe(1_000 - 200 + 1)
    expect(await direct.zscore(k.product(1).exp, users[0]!)).toBeNull()
    expect(await direct.zscore(k.product(1).exp, users[999]!)).not.toBeNull()

    // The newest lapsed holds are still stored, yet to their owners they are gone.
    expect(await engine.reserve(users[999]!, 1, 2)).toMatchObject({ ok: true, quantity: 2 })
    expect(await engine.release(users[998]!, 1)).toEqual({ ok: false, reason: 'NO_RESERVATION' })
    const order = { userId: users[997]!, productId: 1, quantity: 1, amountCents: 0, orderId: 'o-lapsed' }
    expect(await engine.checkout(order)).toMatchObject({ ok: false, reason: 'NO_RESERVATION' })
    expect(await engine.listHolds(users[996]!)).toEqual([])
    expect(await direct.zcard(k.product(1).exp)).toBeGreaterThan(2)

    // Status answers exact counters: it purges every lapsed hold.
    expect(await engine.status(1)).toMatchObject({ total: 1_500, reserved: 3, available: 1_497 })
    expect(await direct.zcard(k.product(1).exp)).toBe(2)
    expect(await direct.hlen(k.product(1).hold)).toBe(2)

    // A bulk reserve that needs every lapsed unit purges until it has them.
    const bulk = await engine.reserveBulk('bulky', [
      { productId: 2, quantity: 250 },
      { productId: 2, quantity: 50 },
    ])
    expect(bulk, JSON.stringify(bulk)).toMatchObject({ ok: true })
    expect(await direct.zcard(k.product(2).exp)).toBe(1)
    expect(await engine.status(2)).toMatchObject({ reserved: 300, available: 0 })
  })

  it('stampede: 500 concurrent reserves of 1 on a stock of 100 → exactly 100 holds', async () => {
    const { prefix, engineOpts } = setup()
    const engines: Engine[] = Array.from({ length: 8 }, () => createEngine(h.newPort(), engineOpts))
    await engines[0]!.initProduct(1, product({ total: 100 }))
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => engines[i % engines.length]!.reserve(`s${i}`, 1, 1)))
    const ok = results.filter((r) => r.ok)
    const refused = results.filter((r) => !r.ok)
    expect(ok).toHaveLength(100)
    expect(refused).toHaveLength(400)
    for (const r of refused) expect(r).toEqual({ ok: false, reason: 'INSUFFICIENT_STOCK', available: 0 })
    expect(await engines[0]!.status(1)).toEqual({
      ok: true,
      name: 'Flash item',
      total: 100,
      sold: 0,
      reserved: 100,
      available: 0,
      waitingRoom: null,
      queueLength: 0,
    })
    const raw = await rawHolds(prefix, 1)
    expect(Object.keys(raw.qty)).toHaveLength(100)
    expect(raw.sum).toBe(100)
  })

  it('random concurrent reserve/release/bulk with expiring holds never breaks the counters', async () => {
    const { prefix, engineOpts } = setup({ holdSeconds: 1, holdMaxSeconds: 2 })
    const engines: Engine[] = Array.from({ length: 6 }, () => createEngine(h.newPort(), engineOpts))
    const products = [
      { id: 1, init: product({ total: 40, sold: 5 }) },
      { id: 2, init: product({ total: 25, maxPerUser: 5 }) },
      { id: 3, init: product({ total: 15, sold: 3 }) },
    ]
    for (const p of products) await engines[0]!.initProduct(p.id, p.init)
    const users = Array.from({ length: 30 }, (_, i) => `r${i}`)
    const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)] as T
    const qty = () => 1 + Math.floor(Math.random() * 3)

    const violations: string[] = []
    const tally: Record<string, number> = {}
    const count = (key: string) => {
      tally[key] = (tally[key] ?? 0) + 1
    }
    let statusReads = 0
    const deadline = Date.now() + 2_500

    const worker = async (engine: Engine) => {
      while (Date.now() < deadline) {
        const roll = Math.random()
        const user = pick(users)
        if (roll < 0.35) {
          const r = await engine.reserve(user, pick(products).id, qty())
          count(`reserve:${r.ok ? 'ok' : r.reason}`)
        } else if (roll < 0.55) {
          const r = await engine.release(user, pick(products).id)
          count(`release:${r.ok ? 'ok' : r.reason}`)
        } else if (roll < 0.75) {
          const items = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => ({
            productId: pick(products).id,
            quantity: qty(),
          }))
          const r = await engine.reserveBulk(user, items)
          count(`bulk:${r.ok ? 'ok' : r.reason}`)
        } else {
          const p = pick(products)
          const s = await engine.status(p.id)
          statusReads++
          if (!s.ok) violations.push(`status ${p.id} not loaded`)
          else {
            if (s.total !== p.init.total || s.sold !== p.init.sold) violations.push(`status ${p.id} totals changed`)
            if (s.sold + s.reserved > s.total) violations.push(`oversold ${JSON.stringify(s)}`)
            if (s.reserved < 0) violations.push(`negative reserved ${JSON.stringify(s)}`)
            if (s.available !== s.total - s.sold - s.reserved || s.available < 0) {
              violations.push(`bad available ${JSON.stringify(s)}`)
            }
          }
        }
      }
    }
    await Promise.all(Array.from({ length: 24 }, (_, i) => worker(engines[i % engines.length]!)))

    expect(violations).toEqual([])
    expect(statusReads).toBeGreaterThan(20)
    expect(tally['reserve:ok'] ?? 0).toBeGreaterThan(0)
    expect((tally['reserve:INSUFFICIENT_STOCK'] ?? 0) + (tally['bulk:INSUFFICIENT_STOCK'] ?? 0)).toBeGreaterThan(0)
    expect(tally['bulk:ok'] ?? 0).toBeGreaterThan(0)

    // Quiet now: after a purge, reserved is exactly the sum of the holds left.
    const engine = engines[0]!
    for (const p of products) {
      const s = await engine.status(p.id)
      if (!s.ok) throw new Error('not loaded')
      const raw = await rawHolds(prefix, p.id)
      expect(raw.reserved).toBe(s.reserved)
      expect(raw.sum).toBe(s.reserved)
      expect(raw.expiry.size).toBe(Object.keys(raw.qty).length)
      expect(raw.starts).toBe(Object.keys(raw.qty).length)
      expect(s.sold + s.reserved).toBeLessThanOrEqual(s.total)
    }
    // Every user's listing agrees with the products' own holds.
    for (const user of users) {
      const listedAt = Date.now()
      const holds = await engine.listHolds(user)
      for (const hold of holds) {
        const raw = await rawHolds(prefix, hold.productId)
        expect(raw.qty[user]).toBe(String(hold.quantity))
        expect(raw.expiry.get(user)).toBe(hold.expiresAt.getTime())
      }
      for (const p of products) {
        const raw = await rawHolds(prefix, p.id)
        const exp = raw.expiry.get(user)
        if (exp !== undefined && exp > listedAt + 200) {
          expect(holds.some((x) => x.productId === p.id)).toBe(true)
        }
      }
    }
    console.log(`[engine via ${factory.name}] race: ${statusReads} status reads, ${JSON.stringify(tally)}`)
  })
})
