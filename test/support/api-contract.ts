import { describe, expect, it } from 'vitest'
import { TEST_ADMIN_TOKEN, type ApiClient } from './client'

/**
 * The API contract (README "API"), run in Node and in workerd alike. Each test
 * makes its own products, so tests never depend on each other.
 */
export function apiContract(getApi: () => ApiClient) {
  const api = () => getApi()
  let users = 0
  const user = (label = 'u') => `${label}-${Date.now().toString(36)}-${users++}`

  async function product(fields: Record<string, unknown> = {}) {
    const res = await api().typed((c) => c.api.products.$post({ json: { name: 'Flash sneaker', total_stock: 10, ...fields } }))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.data as { id: string; total_stock: number; [k: string]: unknown }
  }
  const status = async (id: string) => (await api().typed((c) => c.api.products[':productId'].status.$get({ param: { productId: id } }))).body.data

  describe('products', () => {
    it('creates a product and answers it back', async () => {
      const res = await api().typed((c) =>
        c.api.products.$post({
          json: {
            name: 'Limited jacket',
            description: 'Only a few',
            total_stock: 25,
            price: 49.99,
            max_per_user: 2,
            sale_starts_at: '2020-01-01T00:00:00Z',
            sale_ends_at: '2099-01-01T00:00:00.000Z',
          },
        }),
      )
      expect(res.status).toBe(201)
      expect(res.body).toMatchObject({
        success: true,
        message: 'Product created',
        data: {
          name: 'Limited jacket',
          description: 'Only a few',
          total_stock: 25,
          sold: 0,
          price: '49.99',
          max_per_user: 2,
          sale_starts_at: '2020-01-01T00:00:00.000Z',
          sale_ends_at: '2099-01-01T00:00:00.000Z',
        },
      })
      expect(res.body.data.id).toMatch(/^\d+$/)
      const got = await api().typed((c) => c.api.products[':productId'].$get({ param: { productId: res.body.data.id } }))
      expect(got.status).toBe(200)
      expect(got.body.data).toEqual(res.body.data)
    })

    it('answers 404 for an unknown product and 400 for a bad id', async () => {
      const missing = await api().call('GET', '/api/products/2147483000')
      expect(missing.status).toBe(404)
      expect(missing.body).toMatchObject({ success: false, code: 'PRODUCT_NOT_FOUND' })
      for (const bad of ['abc', '0', '-1', '1.5', '2147483648', '1e3']) {
        const res = await api().typed((c) => c.api.products[':productId'].status.$get({ param: { productId: bad } }))
        expect(res.status, bad).toBe(400)
        expect(res.body.code).toBe('VALIDATION_ERROR')
      }
    })

    it('refuses invalid products with per-field details', async () => {
      const res = await api().call('POST', '/api/products', { name: '', total_stock: -1, price: 1.234, extra: true }) // not a body the client can send
      expect(res.status).toBe(400)
      expect(res.body).toMatchObject({ success: false, code: 'VALIDATION_ERROR' })
      const fields = res.body.details.map((d: { field: string }) => d.field)
      expect(fields).toEqual(expect.arrayContaining(['name', 'total_stock', 'price']))
      const window = await api().typed((c) =>
        c.api.products.$post({
          json: {
            name: 'x',
            total_stock: 1,
            sale_starts_at: '2030-01-02T00:00:00Z',
            sale_ends_at: '2030-01-01T00:00:00Z',
          },
        }),
      )
      expect(window.status).toBe(400)
      expect(window.body.details[0].field).toBe('sale_ends_at')
    })

    it('answers malformed JSON with 400, another content type with 415, a big body with 413', async () => {
      const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
      const malformed = await api().raw('/api/products', {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: '{"name": ',
      })
      expect(malformed.status).toBe(400)
      expect(malformed.body).toMatchObject({ success: false, code: 'MALFORMED_JSON' })
      const text = await api().raw('/api/products', { method: 'POST', headers: { ...admin, 'content-type': 'text/plain' }, body: '{}' })
      expect(text.status).toBe(415)
      expect(text.body.code).toBe('UNSUPPORTED_MEDIA_TYPE')
      const big = await api().typed((c) => c.api.products.$post({ json: { name: 'x', total_stock: 1, description: 'y'.repeat(17 * 1024) } }))
      expect(big.status).toBe(413)
      expect(big.body.code).toBe('PAYLOAD_TOO_LARGE')
    })

    it('reports status from Redis: total, sold, reserved and available', async () => {
      const p = await product({ total_stock: 7 })
      expect(await status(p.id)).toEqual({
        product_id: p.id,
        name: 'Flash sneaker',
        total_stock: 7,
        sold: 0,
        reserved_stock: 0,
        available_stock: 7,
        waiting_room: null,
        queue_length: 0,
      })
    })
  })

  describe('reserve', () => {
    it('holds units and answers the hold', async () => {
      const p = await product({ total_stock: 5 })
      const u = user()
      const before = Date.now()
      const res = await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: Number(p.id), quantity: 2 } }))
      expect(res.status).toBe(201)
      expect(res.body).toMatchObject({ success: true, data: { user_id: u, product_id: p.id, quantity: 2 } })
      const expires = Date.parse(res.body.data.expires_at)
      expect(expires).toBeGreaterThan(before + 500 * 1000)
      expect(expires).toBeLessThan(Date.now() + 601 * 1000)
      expect(await status(p.id)).toMatchObject({ reserved_stock: 2, available_stock: 3 })
    })

    it('adds to the hold on a second reserve and accepts a numeric-string product id', async () => {
      const p = await product({ total_stock: 5 })
      const u = user()
      await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: p.id, quantity: 1 } }))
      const again = await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: p.id, quantity: 2 } }))
      expect(again.status).toBe(201)
      expect(again.body.data.quantity).toBe(3)
      expect(await status(p.id)).toMatchObject({ reserved_stock: 3, available_stock: 2 })
    })

    it('refuses more than is available with 409 INSUFFICIENT_STOCK and the available count', async () => {
      const p = await product({ total_stock: 3 })
      await api().typed((c) => c.api.reserve.$post({ json: { user_id: user(), product_id: p.id, quantity: 2 } }))
      const res = await api().typed((c) => c.api.reserve.$post({ json: { user_id: user(), product_id: p.id, quantity: 2 } }))
      expect(res.status).toBe(409)
      expect(res.body).toMatchObject({ success: false, code: 'INSUFFICIENT_STOCK', details: [{ product_id: p.id, available: 1 }] })
      expect(await status(p.id)).toMatchObject({ reserved_stock: 2, available_stock: 1 })
    })

    it('enforces max_per_user (409 LIMIT_EXCEEDED) and the sale window (409 SALE_NOT_ACTIVE)', async () => {
      const limited = await product({ total_stock: 10, max_per_user: 2 })
      const u = user()
      expect((await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: limited.id, quantity: 2 } }))).status).toBe(201)
      const over = await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: limited.id, quantity: 1 } }))
      expect(over.status).toBe(409)
      expect(over.body).toMatchObject({ code: 'LIMIT_EXCEEDED', details: [{ max_per_user: 2, held: 2 }] })

      const future = await product({ sale_starts_at: '2099-01-01T00:00:00Z' })
      const early = await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: future.id, quantity: 1 } }))
      expect(early.status).toBe(409)
      expect(early.body.code).toBe('SALE_NOT_ACTIVE')
      const past = await product({ sale_starts_at: '2000-01-01T00:00:00Z', sale_ends_at: '2000-01-02T00:00:00Z' })
      expect((await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: past.id, quantity: 1 } }))).body.code).toBe(
        'SALE_NOT_ACTIVE',
      )
    })

    it('answers 404 for an unknown product', async () => {
      const res = await api().typed((c) => c.api.reserve.$post({ json: { user_id: user(), product_id: 2147483000, quantity: 1 } }))
      expect(res.status).toBe(404)
      expect(res.body.code).toBe('PRODUCT_NOT_FOUND')
    })

    it('refuses bad quantities and user ids with 400', async () => {
      const p = await product()
      const bad: Record<string, unknown>[] = [
        { quantity: 0 },
        { quantity: -1 },
        { quantity: 1.5 },
        { quantity: '1e3' },
        { quantity: '2' },
        { quantity: 10_001 },
        { quantity: null },
        { user_id: '*' },
        { user_id: '../x' },
        { user_id: 'a'.repeat(129) },
        { user_id: '🙂' },
        { user_id: '' },
        { product_id: 0 },
        { product_id: 'abc' },
        { product_id: { id: 1 } },
      ]
      for (const change of bad) {
        const res = await api().typed((c) => c.api.reserve.$post({ json: { user_id: user(), product_id: p.id, quantity: 1, ...change } }))
        expect(res.status, JSON.stringify(change)).toBe(400)
        expect(res.body.code).toBe('VALIDATION_ERROR')
        expect(res.body.details.length).toBeGreaterThan(0)
      }
      expect(await status(p.id)).toMatchObject({ reserved_stock: 0 })
    })
  })

  describe('bulk reserve', () => {
    it('holds every item in one go', async () => {
      const [a, b] = [await product({ total_stock: 3 }), await product({ total_stock: 4 })]
      const u = user()
      const res = await api().call('POST', '/api/reserve/bulk', {
        user_id: u,
        items: [
          { product_id: a.id, quantity: 1 },
          { product_id: Number(b.id), quantity: 4 },
        ],
      })
      expect(res.status).toBe(201)
      expect(res.body.data).toHaveLength(2)
      expect(res.body.data[0]).toMatchObject({ user_id: u, product_id: a.id, quantity: 1 })
      expect(res.body.data[1]).toMatchObject({ user_id: u, product_id: b.id, quantity: 4 })
      expect(await status(b.id)).toMatchObject({ available_stock: 0 })
    })

    it('changes nothing when one item fails, and says which', async () => {
      const [a, b] = [await product({ total_stock: 3 }), await product({ total_stock: 1 })]
      const before = [await status(a.id), await status(b.id)]
      const res = await api().call('POST', '/api/reserve/bulk', {
        user_id: user(),
        items: [
          { product_id: a.id, quantity: 2 },
          { product_id: b.id, quantity: 2 },
        ],
      })
      expect(res.status).toBe(409)
      expect(res.body).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ item: 1, product_id: b.id, available: 1 }] })
      expect([await status(a.id), await status(b.id)]).toEqual(before)
    })

    it('refuses duplicates, empty and oversized lists with 400, unknown products with 404', async () => {
      const p = await product()
      const dup = await api().call('POST', '/api/reserve/bulk', {
        user_id: user(),
        items: [
          { product_id: p.id, quantity: 1 },
          { product_id: Number(p.id), quantity: 1 },
        ],
      })
      expect(dup.status).toBe(400)
      expect(dup.body.details[0]).toMatchObject({ field: 'items.1.product_id' })
      expect((await api().call('POST', '/api/reserve/bulk', { user_id: user(), items: [] })).status).toBe(400)
      const many = Array.from({ length: 51 }, (_, i) => ({ product_id: i + 1, quantity: 1 }))
      expect((await api().call('POST', '/api/reserve/bulk', { user_id: user(), items: many })).status).toBe(400)
      const unknown = await api().call('POST', '/api/reserve/bulk', {
        user_id: user(),
        items: [
          { product_id: p.id, quantity: 1 },
          { product_id: 2147483000, quantity: 1 },
        ],
      })
      expect(unknown.status).toBe(404)
      expect(await status(p.id)).toMatchObject({ reserved_stock: 0 })
    })
  })

  describe('cancel and listing', () => {
    it('releases a hold, then answers 404 NO_RESERVATION', async () => {
      const p = await product({ total_stock: 4 })
      const u = user()
      await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: p.id, quantity: 3 } }))
      const res = await api().typed((c) => c.api.reserve[':userId'][':productId'].$delete({ param: { userId: u, productId: p.id } }))
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ success: true, data: { released: 3 } })
      expect(await status(p.id)).toMatchObject({ reserved_stock: 0, available_stock: 4 })
      const again = await api().typed((c) => c.api.reserve[':userId'][':productId'].$delete({ param: { userId: u, productId: p.id } }))
      expect(again.status).toBe(404)
      expect(again.body.code).toBe('NO_RESERVATION')
      expect((await api().call('DELETE', `/api/reserve/${u}/2147483000`)).body.code).toBe('PRODUCT_NOT_FOUND')
    })

    it("lists a user's own holds sorted by expiry, and nobody else's", async () => {
      const [a, b] = [await product(), await product()]
      const [u, other] = [user('lister'), user('other')]
      await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: a.id, quantity: 1 } }))
      await api().typed((c) => c.api.reserve.$post({ json: { user_id: other, product_id: a.id, quantity: 2 } }))
      await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: b.id, quantity: 2 } }))
      const res = await api().typed((c) => c.api.users[':userId'].reservations.$get({ param: { userId: u } }))
      expect(res.status).toBe(200)
      expect(res.body.data.map((h: { product_id: string; quantity: number }) => [h.product_id, h.quantity])).toEqual([
        [a.id, 1],
        [b.id, 2],
      ])
      expect(res.body.data.every((h: { user_id: string }) => h.user_id === u)).toBe(true)
      expect(Date.parse(res.body.data[0].expires_at)).toBeLessThanOrEqual(Date.parse(res.body.data[1].expires_at))
      for (const hostile of ['*', '%2A', '%3F', '%5Ba%5D', '..%2Fx', 'a'.repeat(129), '%F0%9F%99%82']) {
        const bad = await api().typed((c) => c.api.users[':userId'].reservations.$get({ param: { userId: hostile } }))
        expect(bad.status, hostile).toBe(400)
      }
      expect((await api().call('GET', '/api/users/nobody-at-all/reservations')).body.data).toEqual([])
    })
  })

  describe('under a stampede', () => {
    it('500 shoppers for 100 units: exactly 100 holds, 400 refusals', async () => {
      const p = await product({ total_stock: 100 })
      const replies = await Promise.all(
        Array.from({ length: 500 }, (_, i) => api().call('POST', '/api/reserve', { user_id: `stampede-${i}`, product_id: p.id, quantity: 1 })),
      )
      const count = (s: number) => replies.filter((r) => r.status === s).length
      expect(count(201)).toBe(100)
      expect(count(409)).toBe(400)
      expect(replies.filter((r) => r.status === 409).every((r) => r.body.code === 'INSUFFICIENT_STOCK')).toBe(true)
      expect(await status(p.id)).toMatchObject({ sold: 0, reserved_stock: 100, available_stock: 0 })
    })

    it('mixed quantities with concurrent cancels and status reads never break sold + reserved ≤ total', async () => {
      const p = await product({ total_stock: 60 })
      const reads: { total_stock: number; sold: number; reserved_stock: number; available_stock: number }[] = []
      const work = Array.from({ length: 240 }, async (_, i) => {
        const u = `mix-${i % 80}`
        if (i % 4 === 3) await api().typed((c) => c.api.reserve[':userId'][':productId'].$delete({ param: { userId: u, productId: p.id } }))
        else if (i % 4 === 2) reads.push(await status(p.id))
        else await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: p.id, quantity: 1 + (i % 5) } }))
      })
      await Promise.all(work)
      reads.push(await status(p.id))
      for (const s of reads) {
        expect(s.sold + s.reserved_stock).toBeLessThanOrEqual(s.total_stock)
        expect(s.available_stock).toBe(s.total_stock - s.sold - s.reserved_stock)
        expect(s.available_stock).toBeGreaterThanOrEqual(0)
      }
    })

    it('concurrent bulk reserves over overlapping products never leave a partial bulk', async () => {
      const ps = [await product({ total_stock: 20 }), await product({ total_stock: 20 }), await product({ total_stock: 20 })]
      const bulks = Array.from({ length: 40 }, (_, i) => {
        const items = [ps[i % 3]!, ps[(i + 1) % 3]!].map((p) => ({ product_id: p.id, quantity: 1 + (i % 3) }))
        return { user: `bulk-${i}`, items }
      })
      const replies = await Promise.all(bulks.map((b) => api().call('POST', '/api/reserve/bulk', { user_id: b.user, items: b.items })))
      const expected = new Map<string, number>()
      replies.forEach((reply, i) => {
        expect([201, 409]).toContain(reply.status)
        if (reply.status === 201)
          for (const item of bulks[i]!.items) expected.set(item.product_id, (expected.get(item.product_id) ?? 0) + item.quantity)
      })
      for (const p of ps) {
        const s = await status(p.id)
        expect(s.reserved_stock).toBe(expected.get(p.id) ?? 0)
        expect(s.reserved_stock).toBeLessThanOrEqual(20)
      }
      for (const [i, b] of bulks.entries()) {
        const held = (await api().typed((c) => c.api.users[':userId'].reservations.$get({ param: { userId: b.user } }))).body.data
        expect(held.length, `bulk ${i}`).toBe(replies[i]!.status === 201 ? 2 : 0)
      }
    })
  })

  describe('expiry (REDIS_TTL=1, real waiting)', () => {
    it('a lapsed hold is back on sale at the next status call and gone from the listing', async () => {
      const fast = api().withConfig({ REDIS_TTL: '1' })
      const res = await fast.call('POST', '/api/products', { name: 'Blink', total_stock: 2 })
      const id = res.body.data.id
      const u = user('lapse')
      expect((await fast.call('POST', '/api/reserve', { user_id: u, product_id: id, quantity: 2 })).status).toBe(201)
      expect((await fast.call('GET', `/api/products/${id}/status`)).body.data.available_stock).toBe(0)
      await new Promise((r) => setTimeout(r, 1300))
      expect((await fast.call('GET', `/api/products/${id}/status`)).body.data).toMatchObject({ reserved_stock: 0, available_stock: 2 })
      expect((await fast.call('GET', `/api/users/${u}/reservations`)).body.data).toEqual([])
      expect((await fast.call('DELETE', `/api/reserve/${u}/${id}`)).status).toBe(404)
    })

    it('re-reserving extends a hold only up to HOLD_MAX_SECONDS from the first reserve', async () => {
      const capped = api().withConfig({ REDIS_TTL: '1', HOLD_MAX_SECONDS: '2' })
      const id = (await capped.call('POST', '/api/products', { name: 'Cap', total_stock: 10 })).body.data.id
      const u = user('cap')
      const first = await capped.call('POST', '/api/reserve', { user_id: u, product_id: id, quantity: 1 })
      const start = Date.parse(first.body.data.expires_at) - 1000
      let last = first
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 500))
        last = await capped.call('POST', '/api/reserve', { user_id: u, product_id: id, quantity: 1 })
        expect(last.status).toBe(201)
      }
      // Without the cap the last hold would end ~2.5 s after the first reserve.
      expect(Date.parse(last.body.data.expires_at) - start).toBeLessThanOrEqual(2000 + 50)
      expect(last.body.data.quantity).toBe(4)
      await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(last.body.data.expires_at) - Date.now()) + 200))
      expect((await capped.call('GET', `/api/products/${id}/status`)).body.data.reserved_stock).toBe(0)
    })
  })
}
