import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { edgeDeps } from '../../src/deps'
import { createKeys } from '../../src/engine'
import { reconcile } from '../../src/services/reconcile'
import type { ApiClient, Reply } from '../support/client'
import { expectConserved, sql } from '../support/conservation'
import { startNeonProxy, type NeonFault, type NeonProxy } from '../support/neon-proxy'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { dropPrefix, REDIS_URL, scanKeys } from '../support/redis'

// Random concurrent shoppers, and a nemesis that breaks things while they shop:
// it deletes a random key of a product, flushes the namespace, makes Postgres
// refuse, stop answering or slow down, and runs the reconciler concurrently.
// FUZZ_OPS=200000 FUZZ_SEED=123 npx vitest run test/node/conservation-fuzz.test.ts for a long run
// (docs/architecture.md, "Counters are derived, not trusted").
const OPS = Number(process.env.FUZZ_OPS ?? 10_000)
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31)
const WORKERS = 16
const PRODUCTS = 5
const USERS = 50
/** One step in this many is the nemesis's. */
const NEMESIS_EVERY = 40

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

let h: NodeHarness
let proxy: NeonProxy
let redis: Redis
beforeAll(async () => {
  h = await startNodeHarness('fuzz')
  proxy = await startNeonProxy(h.stack.vars.NEON_FETCH_ENDPOINT)
  redis = new Redis(REDIS_URL)
})
afterAll(async () => {
  redis?.disconnect()
  await proxy?.close()
  await h?.close()
})

it(`conserves every unit over ${OPS} random concurrent operations under a nemesis (seed printed)`, {
  timeout: Math.max(600_000, OPS * 10),
}, async () => {
  const random = prng(SEED)
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!
  const api: ApiClient = h.api.withConfig({ REDIS_TTL: '1', NEON_FETCH_ENDPOINT: proxy.url, LOG_LEVEL: 'error' })
  const config = { ...h.config, REDIS_TTL: 1, HOLD_MAX_SECONDS: 2, NEON_FETCH_ENDPOINT: proxy.url }
  const products: { id: string; priceCents: number | null }[] = []
  for (let i = 0; i < PRODUCTS; i++) {
    const priceCents = i % 2 ? 150 : null
    const res = await api.call('POST', '/api/products', {
      name: `Fuzz ${i}`,
      total_stock: 20 + i * 10,
      price: priceCents && priceCents / 100,
      max_per_user: i === 4 ? 4 : null,
    })
    products.push({ id: res.body.data.id, priceCents })
  }
  const users = Array.from({ length: USERS }, (_, i) => `fuzz-${i}`)
  const keys = createKeys(h.prefix)
  const counts: Record<string, number> = {}
  const nemesis: Record<string, number> = {}
  const statuses: number[] = []
  /** (user, product) -> holds granted: no order may exist without one */
  const granted = new Map<string, number>()
  const grant = (user: string, productId: string) => granted.set(`${user}|${productId}`, (granted.get(`${user}|${productId}`) ?? 0) + 1)
  let reads = 0
  let faultUntil = 0
  let reconcileFailures = 0
  // A reconciler run that meets a broken Postgres fails as a whole, and the next one starts over.
  const reconcileNow = () => reconcile(edgeDeps(config)).catch(() => void reconcileFailures++)

  async function strike() {
    const roll = random()
    const p = pick(products)
    const pk = keys.product(Number(p.id))
    let act: string
    if (roll < 0.45) {
      const [name, key] = pick([
        ['product', pk.product],
        ['exp', pk.exp],
        ['hold', pk.hold],
        ['addr', pk.addr],
        ['bought', pk.bought],
        ['pending', pk.pending],
        ['queue', keys.pendingQueue],
        ['user index', keys.userIndex(pick(users))],
      ] as const)
      await redis.del(key)
      act = `delete ${name}`
    } else if (roll < 0.5) {
      await dropPrefix(h.prefix)
      act = 'flush namespace'
    } else if (roll < 0.85) {
      const fault: NeonFault = pick([{ kind: 'refuse' }, { kind: 'drop' }, { kind: 'delay', ms: 50 + Math.floor(random() * 400) }] as const)
      proxy.fault = fault
      const lasts = 50 + random() * 300
      faultUntil = Date.now() + lasts
      setTimeout(() => {
        if (Date.now() >= faultUntil) proxy.fault = { kind: 'pass' }
      }, lasts)
      act = `postgres ${fault.kind}`
    } else {
      await reconcileNow()
      act = 'reconcile'
    }
    nemesis[act] = (nemesis[act] ?? 0) + 1
  }

  async function step() {
    const rare = random()
    const op =
      rare < 0.01
        ? 'reconcile'
        : rare < 0.03
          ? 'restock'
          : pick(['reserve', 'reserve', 'reserve', 'bulk', 'cancel', 'checkout', 'checkout', 'status', 'wait'] as const)
    counts[op] = (counts[op] ?? 0) + 1
    const user = pick(users)
    const p = pick(products)
    const quantity = 1 + Math.floor(random() * 3)
    let res: Reply
    switch (op) {
      case 'reserve':
        res = await api.call('POST', '/api/reserve', { user_id: user, product_id: p.id, quantity })
        if (res.status === 201) grant(user, p.id)
        break
      case 'bulk': {
        const chosen = [...new Set([pick(products), pick(products), pick(products)])]
        res = await api.call('POST', '/api/reserve/bulk', { user_id: user, items: chosen.map((x) => ({ product_id: x.id, quantity })) })
        if (res.status === 201) for (const x of chosen) grant(user, x.id)
        break
      }
      case 'cancel':
        res = await api.call('DELETE', `/api/reserve/${user}/${p.id}`)
        break
      case 'checkout': {
        const amount = p.priceCents === null ? quantity : (p.priceCents * quantity) / 100
        const headers: Record<string, string> = random() < 0.3 ? { 'idempotency-key': `fuzz-${SEED}-${Math.floor(random() * 200)}` } : {}
        res = await api.call('POST', '/api/checkout', { user_id: user, product_id: p.id, quantity, total_amount: amount }, headers)
        break
      }
      case 'status': {
        res = await api.call('GET', `/api/products/${p.id}/status`)
        if (res.status !== 200) break
        const s = res.body.data
        reads++
        expect(s.sold + s.reserved_stock + s.available_stock, `seed ${SEED}`).toBe(s.total_stock)
        expect(Math.min(s.sold, s.reserved_stock, s.available_stock), `seed ${SEED}: ${JSON.stringify(s)}`).toBeGreaterThanOrEqual(0)
        break
      }
      case 'wait':
        await new Promise((r) => setTimeout(r, 50 + random() * 250))
        return
      case 'restock': {
        const current = await api.call('GET', `/api/products/${p.id}/status`)
        if (current.status !== 200) return
        res = await api.call('PATCH', `/api/products/${p.id}`, {
          total_stock: Math.max(0, current.body.data.total_stock + Math.floor(random() * 8) - 3),
        })
        break
      }
      case 'reconcile': // the cron runs while shoppers buy
        await reconcileNow()
        return
    }
    statuses.push(res.status)
  }

  let done = 0
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (done < OPS) {
        done++
        if (done % NEMESIS_EVERY === 0) await strike()
        else await step()
      }
    }),
  )
  proxy.fault = { kind: 'pass' }
  // Nothing fails but a refusal the contract names, or a 503 while a store is broken.
  expect(
    statuses.filter((s) => s >= 500 && s !== 503),
    `seed ${SEED}`,
  ).toEqual([])

  // Every hold lapses; then at most two reconciler passes settle and repair everything.
  await new Promise((r) => setTimeout(r, 2100))
  for (let pass = 0; pass < 2; pass++) await reconcile(edgeDeps(config), { pendingOlderThanMs: 0 })
  await expectConserved(
    api,
    h.db.url,
    products.map((p) => p.id),
  )
  for (const p of products) {
    expect((await api.call('GET', `/api/products/${p.id}/status`)).body.data.reserved_stock, `seed ${SEED}`).toBe(0)
  }
  expect(await scanKeys(redis, `{${h.prefix}}:p:*:pending`), `seed ${SEED}: no pending checkout left`).toEqual([])
  const orders = await sql(h.db.url, 'SELECT user_id, product_id, count(*)::int AS n FROM orders GROUP BY user_id, product_id')
  for (const o of orders) {
    expect(o.n, `seed ${SEED}: orders of ${o.user_id} for ${o.product_id} without a hold`).toBeLessThanOrEqual(
      granted.get(`${o.user_id}|${o.product_id}`) ?? 0,
    )
  }
  const limited = await sql(h.db.url, 'SELECT user_id, sum(quantity)::int AS n FROM orders WHERE product_id = $1 GROUP BY user_id', [products[4]!.id])
  for (const o of limited) expect(o.n, `seed ${SEED}: max_per_user of ${o.user_id}`).toBeLessThanOrEqual(4)
  console.log(
    `fuzz seed ${SEED}: ${OPS} operations ${JSON.stringify(counts)}, nemesis ${JSON.stringify(nemesis)}, ` +
      `${reads} status reads, ${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 503).length} × 503, ` +
      `${reconcileFailures} reconciler runs cut short by Postgres`,
  )
})
