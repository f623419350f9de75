import { afterAll, beforeAll, expect, it } from 'vitest'
import { edgeDeps } from '../../src/deps'
import { reconcile } from '../../src/services/reconcile'
import type { ApiClient } from '../support/client'
import { expectConserved } from '../support/conservation'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

// FUZZ_OPS=20000 FUZZ_SEED=123 npx vitest run test/node/conservation-fuzz.test.ts for a longer run.
const OPS = Number(process.env.FUZZ_OPS ?? 3000)
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31)
const WORKERS = 16
const PRODUCTS = 5
const USERS = 50

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
beforeAll(async () => {
  h = await startNodeHarness('fuzz')
})
afterAll(() => h?.close())

it(`conserves every unit over ${OPS} random concurrent operations (seed printed on failure)`, { timeout: 120_000 }, async () => {
  const random = prng(SEED)
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!
  const api: ApiClient = h.api.withConfig({ REDIS_TTL: '1' })
  const products: { id: string; priceCents: number | null }[] = []
  for (let i = 0; i < PRODUCTS; i++) {
    const priceCents = i % 2 ? 150 : null
    const res = await api.call('POST', '/api/products', { name: `Fuzz ${i}`, total_stock: 20 + i * 10, price: priceCents && priceCents / 100 })
    products.push({ id: res.body.data.id, priceCents })
  }
  const users = Array.from({ length: USERS }, (_, i) => `fuzz-${i}`)
  const counts: Record<string, number> = {}
  const statuses: number[] = []
  let reads = 0

  async function step() {
    const rare = random()
    const op = rare < 0.01 ? 'reconcile' : rare < 0.03 ? 'restock' : pick(['reserve', 'reserve', 'reserve', 'bulk', 'cancel', 'checkout', 'checkout', 'status', 'wait'] as const)
    counts[op] = (counts[op] ?? 0) + 1
    const user = pick(users)
    const p = pick(products)
    const quantity = 1 + Math.floor(random() * 3)
    let res
    switch (op) {
      case 'reserve':
        res = await api.call('POST', '/api/reserve', { user_id: user, product_id: p.id, quantity })
        break
      case 'bulk': {
        const items = [...new Set([pick(products), pick(products), pick(products)])].map((x) => ({ product_id: x.id, quantity }))
        res = await api.call('POST', '/api/reserve/bulk', { user_id: user, items })
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
        const s = res.body.data
        reads++
        expect(s.sold + s.reserved_stock + s.available_stock, `seed ${SEED}`).toBe(s.total_stock)
        expect(Math.min(s.sold, s.reserved_stock, s.available_stock), `seed ${SEED}`).toBeGreaterThanOrEqual(0)
        break
      }
      case 'wait':
        await new Promise((r) => setTimeout(r, 50 + random() * 250))
        return
      case 'restock': {
        const total = (await api.call('GET', `/api/products/${p.id}/status`)).body.data.total_stock
        res = await api.call('PATCH', `/api/products/${p.id}`, { total_stock: Math.max(0, total + Math.floor(random() * 8) - 3) })
        break
      }
      case 'reconcile': // the cron runs while shoppers buy
        await reconcile(edgeDeps(h.config))
        return
    }
    statuses.push(res.status)
  }

  let done = 0
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (done < OPS) {
        done++
        await step()
      }
    }),
  )
  // No request may fail for any reason but a refusal the contract names.
  expect(statuses.filter((s) => s >= 500), `seed ${SEED}`).toEqual([])

  await new Promise((r) => setTimeout(r, 1100)) // every hold lapses
  await reconcile(edgeDeps(h.config), { pendingOlderThanMs: 0 })
  await expectConserved(api, h.db.url, products.map((p) => p.id))
  for (const p of products) {
    expect((await api.call('GET', `/api/products/${p.id}/status`)).body.data.reserved_stock, `seed ${SEED}`).toBe(0)
  }
  console.log(`fuzz seed ${SEED}: ${OPS} operations ${JSON.stringify(counts)}, ${reads} status reads, ${statuses.filter((s) => s === 201).length} × 201`)
})
