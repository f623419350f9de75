import { COUNTED_WINDOW_MS } from './client'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import type { ApiClient, Reply } from './client'
import type { RedisInspector } from './redis-inspector'

/**
 * Drop-day defenses, tried as an attacker would, in both runtimes: one
 * address inventing user ids, someone spending another customer's budget,
 * junk that would cost memory, keys reused across customers and after their
 * record lapsed, and the purchase limit over a whole sale.
 */
export function dropDayContract(getApi: () => ApiClient, getRedis: () => RedisInspector) {
  const api = () => getApi()
  let n = 0
  const user = (label = 'u') => `${label}-${Date.now().toString(36)}-${n++}`
  const from = (ip: string) => ({ 'cf-connecting-ip': ip })
  /** A fresh documentation address (RFC 5737) per test, so windows and caps never carry over. */
  const address = () => `203.0.113.${1 + (n++ % 250)}`
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

  async function product(fields: Record<string, unknown> = {}): Promise<string> {
    const res = await api().call('POST', '/api/products', { name: 'Drop', total_stock: 40, price: '10.00', ...fields })
    expect(res.status).toBe(201)
    return res.body.data.id as string
  }
  const reserve = (a: ApiClient, ip: string, user_id: string, product_id: string, quantity = 1) =>
    a.call('POST', '/api/reserve', { user_id, product_id, quantity }, from(ip))
  const buy = (a: ApiClient, ip: string, user_id: string, product_id: string, quantity: number, key?: string) =>
    a.call(
      'POST',
      '/api/checkout',
      { user_id, product_id, quantity, total_amount: (10 * quantity).toFixed(2) },
      {
        ...from(ip),
        ...(key ? { 'idempotency-key': key } : {}),
      },
    )
  const statuses = (replies: Reply[]) => replies.map((r) => r.status)
  /** `lanes` connections at a time work through `items`, as a client with that many connections would. */
  async function inLanes<T, R>(lanes: number, items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
    const done = await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        const mine: R[] = []
        for (let i = lane; i < items.length; i += lanes) mine.push(await work(items[i]!))
        return mine
      }),
    )
    return done.flat()
  }
  const count = (replies: Reply[], status: number) => replies.filter((r) => r.status === status).length

  describe('one address, many invented user ids', () => {
    it('holds at most MAX_HELD_PER_ADDRESS units of a product, whatever ids it uses (reserve and bulk)', async () => {
      const a = api().withConfig({ MAX_HELD_PER_ADDRESS: '10' })
      const id = await product({ total_stock: 40, max_per_user: 1 })
      const bot = address()
      const replies = await Promise.all(Array.from({ length: 45 }, (_, i) => reserve(a, bot, `bot${i + 1}-${id}`, id)))
      expect(count(replies, 201)).toBe(10)
      const refused = replies.filter((r) => r.status === 409)
      expect(refused).toHaveLength(35)
      for (const r of refused) {
        expect(r.body.code).toBe('ADDRESS_LIMIT_EXCEEDED')
        expect(r.body.details[0]).toMatchObject({ product_id: id, max_held_per_address: 10, held_by_address: 10 })
      }
      const bulk = await a.call('POST', '/api/reserve/bulk', { user_id: `bot-bulk-${id}`, items: [{ product_id: id, quantity: 1 }] }, from(bot))
      expect(bulk.status).toBe(409)
      expect(bulk.body.details[0]).toMatchObject({ item: 0, max_held_per_address: 10 })
      expect((await a.call('GET', `/api/products/${id}/status`)).body.data).toMatchObject({ reserved_stock: 10, available_stock: 30 })

      // Other shoppers are not touched; a cancelled bot hold frees its unit for the address.
      expect((await reserve(a, address(), user('shopper'), id)).status).toBe(201)
      const held = replies.findIndex((r) => r.status === 201)
      expect((await a.call('DELETE', `/api/reserve/bot${held + 1}-${id}/${id}`, undefined, from(bot))).status).toBe(200)
      expect((await reserve(a, bot, `bot-late-${id}`, id)).status).toBe(201)
      expect((await reserve(a, bot, `bot-later-${id}`, id)).status).toBe(409)
    })

    it('counts an IPv6 client by its /64, and frees the units when holds lapse', async () => {
      const a = api().withConfig({ MAX_HELD_PER_ADDRESS: '2', REDIS_TTL: '1', HOLD_MAX_SECONDS: '1' })
      const id = await product()
      const net = `2001:db8:${(n++).toString(16)}:1`
      expect((await reserve(a, `${net}::1`, user(), id)).status).toBe(201)
      expect((await reserve(a, `${net}:ffff:ffff:ffff:fffe`, user(), id)).status).toBe(201)
      expect((await reserve(a, `${net}::2`, user(), id)).body.code).toBe('ADDRESS_LIMIT_EXCEEDED')
      expect((await reserve(a, `2001:db8:${(n++).toString(16)}:2::1`, user(), id)).status).toBe(201)
      await sleep(1300)
      expect((await reserve(a, `${net}::2`, user(), id)).status).toBe(201)
    })

    it('is limited per address on every write before anything else, across user ids', async () => {
      const a = api().withConfig({ RATE_LIMIT_MAX_REQUESTS: '5', RATE_LIMIT_WINDOW_MS: COUNTED_WINDOW_MS })
      const id = await product()
      const bot = address()
      const [u1, u2] = [user('w'), user('w')]
      const admitted = [
        await reserve(a, bot, u1, id),
        await a.call('POST', '/api/reserve/bulk', { user_id: u2, items: [{ product_id: id, quantity: 1 }] }, from(bot)),
        await a.call('DELETE', `/api/reserve/${u1}/${id}`, undefined, from(bot)),
        await buy(a, bot, u2, id, 1),
        await buy(a, bot, user('w'), id, 1), // no hold: refused, but it was a write
      ]
      expect(statuses(admitted)).toEqual([201, 201, 200, 201, 409])
      expect(admitted.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0'])
      const sixth = await reserve(a, bot, user('w'), id)
      expect(sixth.status).toBe(429)
      expect(sixth.body.details[0]).toMatchObject({ scope: 'ip' })
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect((await a.call('DELETE', `/api/reserve/${u2}/${id}`, undefined, from(bot))).status).toBe(429)
      expect((await reserve(a, address(), user('w'), id)).status).toBe(201)
    })

    it('counts a refused token against the address too', async () => {
      const secret = 'a-very-long-test-secret-of-32-chars!'
      const a = api().withConfig({ JWT_SECRET: secret, RATE_LIMIT_MAX_REQUESTS: '3', RATE_LIMIT_WINDOW_MS: COUNTED_WINDOW_MS })
      const id = await product()
      const bot = address()
      const u = user('jwt')
      const token = `Bearer ${await new SignJWT({ sub: u }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1m').sign(new TextEncoder().encode(secret))}`
      const guesses = []
      for (let i = 0; i < 3; i++)
        guesses.push(
          await a.call('POST', '/api/reserve', { user_id: u, product_id: id, quantity: 1 }, { ...from(bot), authorization: 'Bearer junk' }),
        )
      expect(statuses(guesses)).toEqual([401, 401, 401])
      const real = await a.call('POST', '/api/reserve', { user_id: u, product_id: id, quantity: 1 }, { ...from(bot), authorization: token })
      expect(real.status).toBe(429)
      expect(real.body.details[0]).toMatchObject({ scope: 'ip' })
      expect(
        (await a.call('POST', '/api/reserve', { user_id: u, product_id: id, quantity: 1 }, { ...from(address()), authorization: token })).status,
      ).toBe(201)
    })
  })

  it("nobody spends another customer's budget", async () => {
    const a = api().withConfig({ USER_RATE_LIMIT_MAX_REQUESTS: '2', USER_RATE_LIMIT_WINDOW_MS: COUNTED_WINDOW_MS })
    const id = await product()
    const victim = user('victim')
    const attacker = address()
    expect(statuses([await reserve(a, attacker, victim, id), await reserve(a, attacker, victim, id)])).toEqual([201, 201])
    const third = await reserve(a, attacker, victim, id)
    expect(third.status).toBe(429)
    expect(third.body.details[0]).toMatchObject({ scope: 'user' })
    const real = await reserve(a, address(), victim, id)
    expect(real.status).toBe(201)
  })

  describe('max_per_user is a purchase limit for the whole sale', () => {
    it('counts held + bought: one per customer means one, however many reserve → checkout cycles', async () => {
      const id = await product({ max_per_user: 1 })
      const u = user('once')
      const ip = address()
      const first = await reserve(api(), ip, u, id)
      expect(first.body.data).toMatchObject({ quantity: 1, may_buy_more: 0 })
      expect((await buy(api(), ip, u, id, 1)).status).toBe(201)
      const again = await reserve(api(), ip, u, id)
      expect(again.status).toBe(409)
      expect(again.body).toMatchObject({ code: 'LIMIT_EXCEEDED', details: [{ max_per_user: 1, held: 0, bought: 1 }] })
      const bulk = await api().call('POST', '/api/reserve/bulk', { user_id: u, items: [{ product_id: id, quantity: 1 }] }, from(ip))
      expect(bulk.body.code).toBe('LIMIT_EXCEEDED')
    })

    it("the customer's listing says how many more they may buy", async () => {
      const limited = await product({ max_per_user: 3 })
      const open = await product()
      const u = user('list')
      const ip = address()
      await reserve(api(), ip, u, limited, 1)
      expect((await buy(api(), ip, u, limited, 1)).status).toBe(201)
      await reserve(api(), ip, u, limited, 1)
      await reserve(api(), ip, u, open, 2)
      const listing = await api().call('GET', `/api/users/${u}/reservations`)
      const byProduct = Object.fromEntries(
        listing.body.data.map((h: { product_id: string; may_buy_more: number | null }) => [h.product_id, h.may_buy_more]),
      )
      expect(byProduct).toEqual({ [limited]: 1, [open]: null })
    })

    it('survives a Redis flush: bought units come back from Postgres orders', async () => {
      const id = await product({ max_per_user: 2 })
      const u = user('flushed')
      const ip = address()
      await reserve(api(), ip, u, id, 2)
      expect((await buy(api(), ip, u, id, 2)).status).toBe(201)
      const redis = getRedis()
      await redis.del(await redis.keys(`{${redis.prefix}}:p:${id}*`))
      const after = await reserve(api(), ip, u, id)
      expect(after.status).toBe(409)
      expect(after.body.details[0]).toMatchObject({ max_per_user: 2, bought: 2 })
      expect((await reserve(api(), ip, user('other'), id, 2)).status).toBe(201)
    })
  })

  describe('Idempotency-Keys belong to their customer', () => {
    it("another customer's identical key neither sees, blocks nor reveals the first one's order", async () => {
      const id = await product()
      const [alice, bob] = [user('alice'), user('bob')]
      const ip = address()
      await reserve(api(), ip, alice, id)
      await reserve(api(), ip, bob, id)
      const hers = await buy(api(), ip, alice, id, 1, 'cart-42')
      const his = await buy(api(), ip, bob, id, 1, 'cart-42')
      expect([hers.status, his.status]).toEqual([201, 201])
      expect(his.body.data.user_id).toBe(bob)
      expect(his.body.data.order_id).not.toBe(hers.body.data.order_id)
      expect(his.headers.get('idempotent-replayed')).toBeNull()
      const hisOrders = await api().call('GET', `/api/users/${bob}/orders`)
      expect(hisOrders.body.data.orders.map((o: { order_id: string }) => o.order_id)).toEqual([his.body.data.order_id])
    })

    it('a key reused after its Redis record lapsed replays from Postgres, and gives the new hold back', async () => {
      const id = await product({ total_stock: 5 })
      const u = user('lapsed')
      const ip = address()
      await reserve(api(), ip, u, id)
      const first = await buy(api(), ip, u, id, 1, 'cart-7')
      expect(first.status).toBe(201)
      const redis = getRedis()
      const records = await redis.keys(`{${redis.prefix}}:idem:*`)
      expect(records.length).toBeGreaterThan(0)
      await redis.del(records) // the record lapsed

      await reserve(api(), ip, u, id)
      const same = await buy(api(), ip, u, id, 1, 'cart-7')
      expect(same.status).toBe(201)
      expect(same.headers.get('idempotent-replayed')).toBe('true')
      expect(same.body.data.order_id).toBe(first.body.data.order_id)
      // The retry's new hold was taken, then given back: one order, one unit sold.
      const status = (await api().call('GET', `/api/products/${id}/status`)).body.data
      expect(status).toMatchObject({ sold: 1, reserved_stock: 0, available_stock: 4 })
      expect((await api().call('GET', `/api/users/${u}/orders`)).body.data.orders).toHaveLength(1)
    })

    it('a key reused with another body after its record lapsed is 422, and the units go back', async () => {
      const [a, b] = [await product(), await product()]
      const u = user('reuse')
      const ip = address()
      await reserve(api(), ip, u, a)
      expect((await buy(api(), ip, u, a, 1, 'cart-9')).status).toBe(201)
      const redis = getRedis()
      await redis.del(await redis.keys(`{${redis.prefix}}:idem:*`))
      await reserve(api(), ip, u, b)
      const reused = await buy(api(), ip, u, b, 1, 'cart-9')
      expect(reused.status).toBe(422)
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED')
      expect((await api().call('GET', `/api/products/${b}/status`)).body.data).toMatchObject({ sold: 0, reserved_stock: 0 })
      expect((await api().call('GET', `/api/users/${u}/orders`)).body.data.orders).toHaveLength(1)
    })

    it('junk checkouts (fresh keys, no hold) keep no record in Redis', async () => {
      const id = await product()
      const redis = getRedis()
      const before = (await redis.keys(`{${redis.prefix}}:idem:*`)).length
      const u = user('junk')
      const ip = address()
      const replies = await inLanes(
        20,
        Array.from({ length: 300 }, (_, i) => i),
        (i) => buy(api(), ip, u, id, 1, `junk-${u}-${i}`),
      )
      expect(count(replies, 409)).toBe(300)
      expect((await redis.keys(`{${redis.prefix}}:idem:*`)).length).toBe(before)
    })
  })

  it('drop day: a bot address with 1,000 invented ids against 200 customers from 200 addresses', { timeout: 60_000 }, async () => {
    // The shipped defaults: 100 writes per address per 15 min, 10 per customer per minute, 10 units per address.
    const a = api().withConfig({ RATE_LIMIT_MAX_REQUESTS: '100', USER_RATE_LIMIT_MAX_REQUESTS: '10', MAX_HELD_PER_ADDRESS: '10' })
    const id = await product({ total_stock: 100, max_per_user: 1 })
    const botIp = address()
    const run = `${Date.now().toString(36)}${n++}`
    const botIds = Array.from({ length: 1000 }, (_, i) => `bot-${run}-${i}`)
    const customers = Array.from({ length: 200 }, (_, i) => ({ id: `c-${run}-${i}`, ip: `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}` }))

    // The bot hoards (OAT-021, denial of inventory): it holds, never buys.
    const bot = inLanes(10, botIds, (u) => reserve(a, botIp, u, id))
    const shoppers = inLanes(20, customers, async (c) => {
      const held = await reserve(a, c.ip, c.id, id)
      if (held.status !== 201) return held.status
      const bought = await buy(a, c.ip, c.id, id, 1)
      const greedy = await reserve(a, c.ip, c.id, id) // a second one is refused: one per customer
      expect(greedy.status).toBe(409)
      return bought.status
    })
    const [botReplies, shopperStatuses] = await Promise.all([bot, shoppers])

    const orderCount = async (u: string) =>
      (await a.call('GET', `/api/users/${u}/orders`, undefined, from(address()))).body.data.orders.length as number
    const botHolds = botReplies.filter((r) => r.status === 201).length
    expect(botHolds).toBeLessThanOrEqual(10)
    expect(
      botReplies.filter((r) => r.status === 409).every((r) => r.body.code === 'ADDRESS_LIMIT_EXCEEDED' || r.body.code === 'INSUFFICIENT_STOCK'),
    ).toBe(true)
    const tally: Record<string, number> = {}
    for (const r of botReplies) tally[`${r.status} ${r.body.code}`] = (tally[`${r.status} ${r.body.code}`] ?? 0) + 1
    // The address's write window admits 100; every other answer is the window's 429, none a 5xx.
    expect(tally[`429 RATE_LIMITED`], JSON.stringify(tally)).toBe(1000 - 100)
    expect(
      shopperStatuses.every((s) => s < 500),
      JSON.stringify(shopperStatuses),
    ).toBe(true)
    const customerOrders = await Promise.all(customers.map((c) => orderCount(c.id)))
    expect(Math.max(...customerOrders)).toBeLessThanOrEqual(1)
    const toCustomers = customerOrders.reduce((s, x) => s + x, 0)
    expect(toCustomers).toBe(shopperStatuses.filter((s) => s === 201).length)
    expect(toCustomers).toBeGreaterThanOrEqual(90)

    // Conservation: every unit sold is one order, in Redis and in Postgres alike.
    const status = (await a.call('GET', `/api/products/${id}/status`, undefined, from(address()))).body.data
    const row = (await a.call('GET', `/api/products/${id}`, undefined, from(address()))).body.data
    expect(status.sold).toBe(toCustomers)
    expect(row.sold).toBe(status.sold)
    expect(status.reserved_stock).toBe(botHolds)
    expect(status.sold + status.reserved_stock).toBeLessThanOrEqual(100)
  })
}
