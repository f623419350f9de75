import { COUNTED_WINDOW_MS } from './client'
import { describe, expect, it } from 'vitest'
import type { ApiClient, Reply } from './client'
import type { RedisInspector } from './redis-inspector'

/**
 * The waiting room (issue 17; docs/architecture.md, "Waiting room"), in Node
 * and in workerd alike: places in line, admission first come, first served
 * at the product's rate from Redis time, signed tickets and admission tokens
 * checked at the edge, the line pausing while nothing is available, turns
 * that lapse. Expiry is real waiting.
 */
export function waitingRoomContract(getApi: () => ApiClient, getRedis: () => RedisInspector) {
  const api = () => getApi()
  let n = 0
  const user = (label = 'q') => `${label}-${Date.now().toString(36)}-${n++}`
  /** A fresh documentation address (RFC 5737) per caller, so write windows and caps never carry over. */
  const address = () => `198.51.100.${1 + (n++ % 250)}`
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

  async function product(fields: Record<string, unknown> = {}, a = api()): Promise<string> {
    const res = await a.call('POST', '/api/products', { name: 'Queued drop', total_stock: 10, price: '5.00', ...fields })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.data.id as string
  }
  const room = (admit_per_second: number, admission_ttl_seconds = 120) => ({ waiting_room: { admit_per_second, admission_ttl_seconds } })
  const join = (id: string, user_id: string, a = api(), ip = '192.0.2.10') =>
    a.call('POST', `/api/products/${id}/queue`, { user_id }, { 'cf-connecting-ip': ip })
  const poll = (id: string, ticket: string, a = api()) => a.call('GET', `/api/products/${id}/queue/${ticket}`)
  const status = async (id: string, a = api()) => (await a.call('GET', `/api/products/${id}/status`)).body.data
  const reserve = (id: string, user_id: string, token?: string, a = api(), quantity = 1) =>
    a.call('POST', '/api/reserve', { user_id, product_id: id, quantity }, token ? { 'x-admission-token': token } : {})

  async function joined(id: string, user_id: string, a = api()): Promise<string> {
    const res = await join(id, user_id, a)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.data.ticket as string
  }

  /** Polls a ticket until its status is `want` (or the time is up), and gives that answer. */
  async function pollUntil(id: string, ticket: string, want: string, withinMs: number, a = api()): Promise<Reply> {
    const until = Date.now() + withinMs
    for (;;) {
      const res = await poll(id, ticket, a)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      if (res.body.data.status === want || Date.now() > until) {
        expect(res.body.data.status).toBe(want)
        return res
      }
      await sleep(50)
    }
  }

  /** A token that is not the server's: the same form, one character of its signature changed. */
  const forge = (token: string) => `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`

  describe('the waiting room', () => {
    it('is shown on the product and its status (with queue_length), set on create and by PATCH, and null turns it off', async () => {
      const id = await product({ waiting_room: { admit_per_second: 5 } })
      const expected = { admit_per_second: 5, admission_ttl_seconds: 120 }
      expect((await api().call('GET', `/api/products/${id}`)).body.data.waiting_room).toEqual(expected)
      expect(await status(id)).toMatchObject({ waiting_room: expected, queue_length: 0 })
      const plain = await product()
      expect((await api().call('GET', `/api/products/${plain}`)).body.data.waiting_room).toBeNull()
      expect(await status(plain)).toMatchObject({ waiting_room: null, queue_length: 0 })

      for (const bad of [
        { admit_per_second: 0 },
        { admit_per_second: 10_001 },
        { admit_per_second: 1.5 },
        { admit_per_second: 5, admission_ttl_seconds: 9 },
      ]) {
        const res = await api().call('POST', '/api/products', { name: 'Bad room', total_stock: 1, waiting_room: bad })
        expect(res.status, JSON.stringify(bad)).toBe(400)
        expect(res.body.code).toBe('VALIDATION_ERROR')
        expect(res.body.details[0].field).toMatch(/^waiting_room\./)
      }
      const extra = await api().call('POST', '/api/products', { name: 'Bad room', total_stock: 1, waiting_room: { admit_per_second: 5, x: 1 } })
      expect(extra.status).toBe(400)

      const changed = await api().call('PATCH', `/api/products/${id}`, { waiting_room: { admit_per_second: 7, admission_ttl_seconds: 30 } })
      expect(changed.status).toBe(200)
      expect(changed.body.data).toMatchObject({ total_stock: 10, waiting_room: { admit_per_second: 7, admission_ttl_seconds: 30 } })
      expect(await status(id)).toMatchObject({ waiting_room: { admit_per_second: 7, admission_ttl_seconds: 30 } })
      const both = await api().call('PATCH', `/api/products/${id}`, { total_stock: 12, waiting_room: { admit_per_second: 1 } })
      expect(both.body.data).toMatchObject({ total_stock: 12, waiting_room: { admit_per_second: 1, admission_ttl_seconds: 120 } })
      const nothing = await api().call('PATCH', `/api/products/${id}`, {})
      expect(nothing.status).toBe(200)
      expect(nothing.body.data).toMatchObject({ total_stock: 12, waiting_room: { admit_per_second: 1 } })

      // Turned off: no line to join, and a reserve needs no token.
      expect((await join(id, user())).status).toBe(201)
      expect(await status(id)).toMatchObject({ queue_length: 1 })
      const off = await api().call('PATCH', `/api/products/${id}`, { waiting_room: null })
      expect(off.body.data.waiting_room).toBeNull()
      expect(await status(id)).toMatchObject({ waiting_room: null, queue_length: 0 })
      expect((await join(id, user())).body).toMatchObject({ code: 'NO_WAITING_ROOM', details: [{ product_id: id }] })
      expect((await join(id, user())).status).toBe(409)
      expect((await reserve(id, user())).status).toBe(201)
      expect((await api().call('PATCH', '/api/products/2147483000', { waiting_room: null })).status).toBe(404)
    })

    it('gives a place in line, the same place to the same user again, and refuses what cannot wait', async () => {
      const id = await product(room(1))
      const [alice, bob] = [user('alice'), user('bob')]
      const first = await join(id, alice)
      expect(first.status).toBe(201)
      expect(first.body).toMatchObject({ success: true, data: { position: 1, status: 'waiting' } })
      expect(first.body.data.ticket).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
      expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(first.headers.get('ratelimit-remaining')).not.toBeNull()
      const again = await join(id, alice)
      expect(again.body.data).toEqual(first.body.data)
      expect((await join(id, bob)).body.data).toMatchObject({ position: 2, status: 'waiting' })
      expect(await status(id)).toMatchObject({ queue_length: 2 })

      expect((await join(await product(), user())).body.code).toBe('NO_WAITING_ROOM')
      const later = await product({ ...room(5), sale_starts_at: new Date(Date.now() + 3_600_000).toISOString() })
      const early = await join(later, user())
      expect([early.status, early.body.code]).toEqual([409, 'SALE_NOT_ACTIVE'])
      const none = await join(await product({ ...room(5), total_stock: 0 }), user())
      expect([none.status, none.body.code]).toEqual([409, 'SOLD_OUT'])
      expect(none.body.details).toEqual([{ product_id: expect.any(String), available: 0 }])
      expect((await join('2147483000', user())).status).toBe(404)
      expect((await api().call('POST', `/api/products/${id}/queue`, { user_id: 'not valid!' })).status).toBe(400)
    })

    it('admits with a signed token to reserve with (header or body, for as long as the turn lasts); without one: 409 ADMISSION_REQUIRED', async () => {
      const id = await product(room(20))
      const plain = await product()
      const alice = user('alice')
      const ticket = await joined(id, alice)
      const admitted = await pollUntil(id, ticket, 'admitted', 3000)
      const data = admitted.body.data
      expect(data).toMatchObject({ position: 0, status: 'admitted', estimated_wait_seconds: 0 })
      expect(Number(admitted.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      const turnLeft = Date.parse(data.expires_at) - Date.now()
      expect(turnLeft).toBeGreaterThan(110_000)
      expect(turnLeft).toBeLessThanOrEqual(120_000 + 1000)
      const token = data.admission_token as string

      const without = await reserve(id, alice)
      expect(without.status).toBe(409)
      expect(without.body).toMatchObject({ code: 'ADMISSION_REQUIRED', details: [{ product_id: id }] })
      expect((await reserve(id, alice, token)).body.data).toMatchObject({ quantity: 1 })
      // Not single-use: the same turn may add to the hold, the token sent in the body this time.
      const inBody = await api().call('POST', '/api/reserve', { user_id: alice, product_id: id, quantity: 1, admission_token: token })
      expect(inBody.status).toBe(201)
      expect(inBody.body.data.quantity).toBe(2)
      // Joining again while admitted gives the place as it stands.
      expect((await join(id, alice)).body.data).toEqual({ ticket, position: 0, status: 'admitted' })

      // Bulk: an item of a product with a waiting room needs its token; the other items none.
      const noToken = await api().call('POST', '/api/reserve/bulk', {
        user_id: alice,
        items: [
          { product_id: plain, quantity: 1 },
          { product_id: id, quantity: 1 },
        ],
      })
      expect(noToken.status).toBe(409)
      expect(noToken.body).toMatchObject({ code: 'ADMISSION_REQUIRED', details: [{ item: 1, product_id: id }] })
      const items = [
        { product_id: plain, quantity: 1 },
        { product_id: id, quantity: 1, admission_token: token },
      ]
      const bulk = await api().call('POST', '/api/reserve/bulk', { user_id: alice, items })
      expect(bulk.status).toBe(201)
      expect(bulk.body.data.map((h: { quantity: number }) => h.quantity)).toEqual([1, 3])
      const viaHeader = await api().call(
        'POST',
        '/api/reserve/bulk',
        { user_id: alice, items: [{ product_id: id, quantity: 1 }] },
        { 'x-admission-token': token },
      )
      expect(viaHeader.status).toBe(201)
      // A product without a waiting room needs no token.
      expect((await reserve(plain, user())).status).toBe(201)
      expect(await status(id)).toMatchObject({ reserved_stock: 4, queue_length: 0 })
    })

    it('refuses forged tokens, and tokens of another user or product, with 403 ADMISSION_INVALID before any store call', async () => {
      const [p1, p2, plain] = [await product(room(50)), await product(room(50)), await product()]
      const alice = user('alice')
      const token = (await pollUntil(p1, await joined(p1, alice), 'admitted', 3000)).body.data.admission_token as string
      const refused = async (res: Reply, message: RegExp) => {
        expect(res.status, JSON.stringify(res.body)).toBe(403)
        expect(res.body.code).toBe('ADMISSION_INVALID')
        expect(res.body.error).toMatch(message)
      }
      await refused(await reserve(p1, alice, forge(token)), /not one this shop gave/)
      await refused(await reserve(p1, alice, `${'A'.repeat(40)}.${'B'.repeat(43)}`), /not one this shop gave/)
      await refused(await reserve(p1, user('bob'), token), /another user/)
      await refused(await reserve(p2, alice, token), /for product/)
      await refused(await reserve(plain, alice, token), /for product/)
      await refused(await reserve(plain, alice, forge(token)), /not one this shop gave/)
      // A ticket is no admission token, nor the other way round.
      const ticket = (await join(p1, alice)).body.data.ticket as string
      await refused(await reserve(p1, alice, ticket), /not one this shop gave/)
      expect((await poll(p1, token)).status).toBe(404)
      // Not of the form: a 400 naming the header.
      const malformed = await reserve(p1, alice, 'not a token')
      expect(malformed.status).toBe(400)
      expect(malformed.body.details[0].field).toBe('x-admission-token')
      expect(await status(p1)).toMatchObject({ reserved_stock: 0 })
      expect((await reserve(p1, alice, token)).status).toBe(201)
    })

    it('answers 404 TICKET_NOT_FOUND for a ticket it did not give, or of another product', async () => {
      const [p1, p2] = [await product(room(5)), await product(room(5))]
      const ticket = await joined(p1, user())
      expect((await poll(p1, ticket)).status).toBe(200)
      for (const [id, t] of [
        [p1, forge(ticket)],
        [p2, ticket],
      ] as const) {
        const res = await poll(id, t)
        expect(res.status).toBe(404)
        expect(res.body).toMatchObject({ code: 'TICKET_NOT_FOUND', details: [{ product_id: id }] })
      }
      expect((await poll(p1, 'not-a-ticket')).status).toBe(400)
      expect((await poll('2147483000', ticket)).status).toBe(404)
      await api().call('PATCH', `/api/products/${p1}`, { waiting_room: null })
      expect((await poll(p1, ticket)).body.code).toBe('NO_WAITING_ROOM')
    })

    it('fairness: 200 shoppers are admitted in the order they joined, admit_per_second (20) a second', { timeout: 60_000 }, async () => {
      const RATE = 20
      const TTL = 3600
      const id = await product({ ...room(RATE, TTL), total_stock: 1000 })
      const tickets: string[] = []
      for (let i = 0; i < 200; i++) tickets.push(await joined(id, `fair-${String(i).padStart(3, '0')}-${id}`))

      // Poll everyone not yet admitted, the last joined first: when a place is admitted, every
      // place before it, polled after it, must be admitted too (first come, first served).
      // Each place's admission, as its answers say (expires_at - the turn), must fall between
      // the last poll that found it waiting and the first that found it admitted.
      const admittedAt: number[] = Array(200)
      const lastWaiting: number[] = Array(200).fill(0)
      const firstAdmitted: number[] = Array(200)
      let next = 0
      const deadline = Date.now() + 200_000 / RATE + 10_000
      while (next < 200 && Date.now() < deadline) {
        let seenAdmitted = false
        for (let i = 199; i >= next; i--) {
          const sent = Date.now()
          const res = await poll(id, tickets[i]!)
          const answered = Date.now()
          expect(res.status).toBe(200)
          const { status: s, expires_at } = res.body.data
          if (s === 'admitted') {
            seenAdmitted = true
            admittedAt[i] ??= Date.parse(expires_at) - TTL * 1000
            firstAdmitted[i] ??= answered
          } else {
            expect(s, `place ${i + 1} waits while a later place is admitted`).toBe(seenAdmitted ? 'admitted' : 'waiting')
            lastWaiting[i] = sent
          }
        }
        while (next < 200 && admittedAt[next] !== undefined) next++
        await sleep(200)
      }
      expect(next).toBe(200)
      for (let i = 0; i < 200; i++) {
        expect(admittedAt[i], `place ${i + 1}: admitted after the last answer that it waits`).toBeGreaterThan(lastWaiting[i]! - 1)
        expect(admittedAt[i], `place ${i + 1}: admitted before the first answer that it is in`).toBeLessThanOrEqual(firstAdmitted[i]! + 1)
      }
      // Admission order is join order, one place every 1000 / RATE ms of Redis time.
      for (let i = 1; i < 200; i++) expect(admittedAt[i]! - admittedAt[i - 1]!).toBeGreaterThanOrEqual(1000 / RATE - 1)
      // The line began with the first place, 1000 / RATE ms before its admission: after t seconds, RATE · t ± 1 are in.
      const began = admittedAt[0]! - 1000 / RATE
      for (let t = 0.5; t <= 10; t += 0.5) {
        const count = admittedAt.filter((at) => at <= began + t * 1000).length
        expect(Math.abs(count - RATE * t), `admitted after ${t} s: ${count}`).toBeLessThanOrEqual(1)
      }
      expect(await status(id)).toMatchObject({ queue_length: 0 })
    })

    it('a client sees the same count: status queue_length after t seconds, within what the round trips leave open', { timeout: 30_000 }, async () => {
      const RATE = 20
      const id = await product({ ...room(RATE), total_stock: 1000 })
      // The line begins at the first join's Redis time, somewhere in that call's round trip.
      const sent = Date.now()
      await joined(id, user('first'))
      const answered = Date.now()
      for (let i = 1; i < 200; i++) await joined(id, user('then'))
      for (let k = 0; k < 5; k++) {
        const asked = Date.now()
        const admitted = 200 - (await status(id)).queue_length
        const told = Date.now()
        const [least, most] = [Math.floor((RATE * (asked - answered)) / 1000), Math.floor((RATE * (told - sent)) / 1000)]
        if (most >= 200) break
        expect(admitted, `${admitted} admitted, between ${least} and ${most}`).toBeGreaterThanOrEqual(least)
        expect(admitted).toBeLessThanOrEqual(most)
        await sleep(1000)
      }
    })

    it('sold out: once the 10 units are held every poll says sold_out; holds that lapse let the next in line in', { timeout: 40_000 }, async () => {
      const a = api().withConfig({ REDIS_TTL: '4', HOLD_MAX_SECONDS: '4' })
      const id = await product({ ...room(10, 60), total_stock: 10 }, a)
      const users = Array.from({ length: 100 }, (_, i) => `so-${i}-${id}`)
      const tickets: string[] = []
      for (const u of users) tickets.push(await joined(id, u, a))
      // The first ten are admitted (10 a second) and reserve; their holds last 4 s.
      for (let i = 0; i < 10; i++) {
        const token = (await pollUntil(id, tickets[i]!, 'admitted', 5000, a)).body.data.admission_token
        expect((await reserve(id, users[i]!, token, a)).status).toBe(201)
      }
      for (const ticket of tickets) expect((await poll(id, ticket, a)).body.data).toMatchObject({ status: 'sold_out', estimated_wait_seconds: 0 })
      expect((await join(id, user('late'), a)).body.code).toBe('SOLD_OUT')
      const paused = (await status(id, a)).queue_length
      expect(paused).toBeGreaterThan(50)
      await sleep(1000)
      expect((await status(id, a)).queue_length).toBe(paused) // a paused line admits no one

      // The holds lapse: the line goes on from where it stopped, first come first served.
      const firstWaiting = 100 - paused
      const next = await pollUntil(id, tickets[firstWaiting]!, 'admitted', 8000, a)
      expect((await poll(id, tickets[firstWaiting + 1]!, a)).body.data.status).not.toBe('sold_out')
      expect((await reserve(id, users[firstWaiting]!, next.body.data.admission_token, a)).status).toBe(201)
      expect((await poll(id, tickets.at(-1)!, a)).body.data).toMatchObject({ status: 'waiting' })
    })

    it('a turn not used in admission_ttl_seconds is over: its poll says expired, its token is refused, the line went on without it', {
      timeout: 30_000,
    }, async () => {
      const id = await product({ ...room(2, 10), total_stock: 5 })
      const [alice, bob, carol] = [user('alice'), user('bob'), user('carol')]
      const [ta, tb, tc] = [await joined(id, alice), await joined(id, bob), await joined(id, carol)]
      const aliceIn = (await pollUntil(id, ta, 'admitted', 3000)).body.data
      // Bob and Carol are let in at the rate, not held up by Alice's turn.
      const bobIn = (await pollUntil(id, tb, 'admitted', 3000)).body.data
      expect((await reserve(id, bob, bobIn.admission_token)).status).toBe(201)
      const carolIn = (await pollUntil(id, tc, 'admitted', 3000)).body.data
      expect(Date.parse(carolIn.expires_at) - Date.parse(aliceIn.expires_at)).toBe(1000)

      await sleep(Date.parse(aliceIn.expires_at) - Date.now() + 100)
      expect((await poll(id, ta)).body.data).toEqual({ position: 0, status: 'expired', estimated_wait_seconds: 0 })
      const late = await reserve(id, alice, aliceIn.admission_token)
      expect([late.status, late.body.code]).toEqual([403, 'ADMISSION_INVALID'])
      expect(late.body.error).toMatch(/expired/)
      // Joining again: a new place at the back.
      const again = await join(id, alice)
      expect(again.body.data.ticket).not.toBe(ta)
      expect(again.body.data.status).toBe('waiting')
      expect((await pollUntil(id, again.body.data.ticket, 'admitted', 3000)).status).toBe(200)
    })

    it('one address takes at most MAX_HELD_PER_ADDRESS places in a line; joining again costs no new place', async () => {
      const a = api().withConfig({ MAX_HELD_PER_ADDRESS: '3' })
      const id = await product(room(1), a)
      const bot = address()
      const replies = []
      for (let i = 0; i < 4; i++) replies.push(await join(id, `bot${i}-${id}`, a, bot))
      expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 409])
      expect(replies[3]!.body).toMatchObject({
        code: 'ADDRESS_LIMIT_EXCEEDED',
        details: [{ product_id: id, max_held_per_address: 3, held_by_address: 3 }],
      })
      expect((await join(id, `bot0-${id}`, a, bot)).status).toBe(201)
      expect((await join(id, user(), a, address())).status).toBe(201)
      // An IPv6 client is one /64.
      const net = `2001:db8:${(n++).toString(16)}:7`
      const v6 = [`${net}::1`, `${net}::2`, `${net}:ffff:ffff:ffff:fffe`, `${net}::3`]
      const answers = []
      for (const ip of v6) answers.push((await join(id, user(), a, ip)).status)
      expect(answers).toEqual([201, 201, 201, 409])
      expect((await join(id, user(), a, `2001:db8:${(n++).toString(16)}:7::1`)).status).toBe(201)
    })

    it('joins are writes: the address and customer windows count them, in the same command', async () => {
      const a = api().withConfig({ RATE_LIMIT_MAX_REQUESTS: '3', RATE_LIMIT_WINDOW_MS: COUNTED_WINDOW_MS })
      const id = await product(room(5), a)
      const ip = address()
      const answers = []
      for (let i = 0; i < 4; i++) answers.push(await join(id, user(), a, ip))
      expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 429])
      expect(answers.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0'])
      expect(answers[3]!.body.details[0]).toMatchObject({ scope: 'ip' })
    })

    it('a line lost from Redis (eviction) loses only places: its tickets say expired, joining starts a new line, stock is untouched', async () => {
      const id = await product({ ...room(50), total_stock: 4 })
      const alice = user('alice')
      const ticket = await joined(id, alice)
      const token = (await pollUntil(id, ticket, 'admitted', 3000)).body.data.admission_token
      expect((await reserve(id, alice, token)).status).toBe(201)
      const redis = getRedis()
      await redis.del(await redis.keys(`{${redis.prefix}}:p:${id}:q*`))
      expect((await poll(id, ticket)).body.data.status).toBe('expired')
      expect(await status(id)).toMatchObject({ reserved_stock: 1, available_stock: 3, queue_length: 0 })
      // The token needs no line: it holds until it expires.
      expect((await reserve(id, alice, token)).body.data.quantity).toBe(2)
      const again = await join(id, alice)
      expect(again.body.data).toMatchObject({ position: 1, status: 'waiting' })
      expect(again.body.data.ticket).not.toBe(ticket)
      expect((await pollUntil(id, again.body.data.ticket, 'admitted', 3000)).status).toBe(200)
    })

    it('without QUEUE_SECRET a line cannot be joined (500 CONFIGURATION_ERROR); products without a waiting room are untouched', async () => {
      const a = api().withConfig({ QUEUE_SECRET: '' })
      const id = await product(room(5), a)
      const res = await join(id, user(), a)
      expect(res.status).toBe(500)
      expect(res.body).toMatchObject({ code: 'CONFIGURATION_ERROR' })
      expect(res.body.error).toMatch(/QUEUE_SECRET/)
      expect((await reserve(id, user(), undefined, a)).body.code).toBe('ADMISSION_REQUIRED')
      expect((await reserve(await product({}, a), user(), undefined, a)).status).toBe(201)
      expect(await status(id, a)).toMatchObject({ queue_length: 0 })
    })
  })
}
