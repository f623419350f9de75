import { describe, expect, it } from 'vitest'
import type { ApiClient } from './client'

/** Checkout and orders (docs/architecture.md, "Checkout"), run in Node and in workerd alike. */
export function checkoutContract(getApi: () => ApiClient) {
  const api = () => getApi()
  let n = 0
  const user = (label = 'buyer') => `${label}-${Math.random().toString(36).slice(2, 8)}-${n++}`

  async function product(fields: Record<string, unknown> = {}) {
    const res = await api().typed((c) => c.api.products.$post({ json: { name: 'Drop', total_stock: 10, price: '12.50', ...fields } }))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.data.id as string
  }
  const reserve = async (u: string, id: string, quantity: number) =>
    expect((await api().typed((c) => c.api.reserve.$post({ json: { user_id: u, product_id: id, quantity } }))).status).toBe(201)
  const status = async (id: string) => (await api().typed((c) => c.api.products[':productId'].status.$get({ param: { productId: id } }))).body.data
  const buy = (u: string, id: string, quantity: number, total: unknown, headers?: Record<string, string>) =>
    api().call('POST', '/api/checkout', { user_id: u, product_id: id, quantity, total_amount: total }, headers)

  describe('checkout', () => {
    it('turns a hold into an order at the product price', async () => {
      const id = await product()
      const u = user()
      await reserve(u, id, 2)
      const res = await buy(u, id, 2, 25)
      expect(res.status).toBe(201)
      expect(res.body).toMatchObject({
        success: true,
        data: { user_id: u, product_id: id, quantity: 2, total_amount: '25.00', status: 'confirmed' },
      })
      expect(res.body.data.order_id).toMatch(/^[0-9a-f-]{36}$/)
      expect(Date.parse(res.body.data.created_at)).not.toBeNaN()
      expect(await status(id)).toMatchObject({ sold: 2, reserved_stock: 0, available_stock: 8 })
      expect((await api().typed((c) => c.api.users[':userId'].reservations.$get({ param: { userId: u } }))).body.data).toEqual([])
      expect((await api().typed((c) => c.api.products[':productId'].$get({ param: { productId: id } }))).body.data.sold).toBe(2)
    })

    it('buys part of a hold and releases the rest', async () => {
      const id = await product({ total_stock: 5 })
      const u = user()
      await reserve(u, id, 3)
      expect((await buy(u, id, 1, '12.50')).status).toBe(201)
      expect(await status(id)).toMatchObject({ sold: 1, reserved_stock: 0, available_stock: 4 })
    })

    it('refuses a wrong amount with 422 and leaves the hold alone', async () => {
      const id = await product()
      const u = user()
      await reserve(u, id, 2)
      const wrong = await buy(u, id, 2, 24.99)
      expect(wrong.status).toBe(422)
      expect(wrong.body).toMatchObject({ code: 'AMOUNT_MISMATCH', details: [{ field: 'total_amount', expected: '25.00' }] })
      expect(await status(id)).toMatchObject({ sold: 0, reserved_stock: 2 })
      expect((await buy(u, id, 2, 25)).status).toBe(201)
    })

    it('takes the client amount when the product has no price', async () => {
      const id = await product({ price: null })
      const u = user()
      await reserve(u, id, 1)
      const res = await buy(u, id, 1, 3.1)
      expect(res.status).toBe(201)
      expect(res.body.data.total_amount).toBe('3.10')
    })

    it('says when there is no hold, or not enough of one; a second checkout finds none', async () => {
      const id = await product()
      const u = user()
      expect((await buy(u, id, 1, 12.5)).body.code).toBe('NO_RESERVATION')
      await reserve(u, id, 1)
      const tooMany = await buy(u, id, 2, 25)
      expect(tooMany.status).toBe(409)
      expect(tooMany.body).toMatchObject({ code: 'QUANTITY_EXCEEDS_RESERVATION', details: [{ reserved: 1 }] })
      expect((await buy(u, id, 1, 12.5)).status).toBe(201)
      const again = await buy(u, id, 1, 12.5)
      expect(again.status).toBe(409)
      expect(again.body.code).toBe('NO_RESERVATION')
      expect((await buy(u, '2147483000', 1, 1)).status).toBe(404)
    })

    it('validates the body and the Idempotency-Key', async () => {
      const id = await product()
      for (const bad of [{ quantity: 0 }, { total_amount: -1 }, { total_amount: '1.234' }, { user_id: '*' }, { product_id: 'x' }]) {
        const res = await api().call('POST', '/api/checkout', { user_id: user(), product_id: id, quantity: 1, total_amount: 12.5, ...bad })
        expect(res.status, JSON.stringify(bad)).toBe(400)
      }
      const badKey = await buy(user(), id, 1, 12.5, { 'idempotency-key': 'x'.repeat(256) })
      expect(badKey.status).toBe(400)
      expect(badKey.body.details[0].field).toBe('idempotency-key')
    })
  })

  describe('Idempotency-Key', () => {
    it('20 parallel checkouts with one key and body: one order, 20 identical answers', async () => {
      const id = await product()
      const u = user()
      await reserve(u, id, 1)
      const key = `key-${u}`
      const replies = await Promise.all(Array.from({ length: 20 }, () => buy(u, id, 1, 12.5, { 'idempotency-key': key })))
      expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201))
      expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1)
      expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true').length).toBe(19)
      expect(await status(id)).toMatchObject({ sold: 1, reserved_stock: 0 })
      const orders = (await api().typed((c) => c.api.users[':userId'].orders.$get({ param: { userId: u }, query: {} }))).body.data.orders
      expect(orders).toHaveLength(1)

      const later = await buy(u, id, 1, 12.5, { 'idempotency-key': key })
      expect(later.status).toBe(201)
      expect(later.body).toEqual(replies[0]!.body)
      const other = await buy(u, id, 1, 25, { 'idempotency-key': key })
      expect(other.status).toBe(422)
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED')
    })

    it('replays a refusal too, with its status, once the request held units', async () => {
      const id = await product()
      const u = user()
      await reserve(u, id, 1)
      const first = await buy(u, id, 2, 25, { 'idempotency-key': `refused-${u}` })
      expect(first.status).toBe(409)
      expect(first.body.code).toBe('QUANTITY_EXCEEDS_RESERVATION')
      await reserve(u, id, 1)
      const replay = await buy(u, id, 2, 25, { 'idempotency-key': `refused-${u}` })
      expect(replay.status).toBe(409)
      expect(replay.body).toEqual(first.body)
      expect(replay.headers.get('idempotent-replayed')).toBe('true')
    })

    it('keeps no record for a request that held nothing: the key is still free', async () => {
      const id = await product()
      const u = user()
      const first = await buy(u, id, 1, 12.5, { 'idempotency-key': `nothing-held-${u}` })
      expect(first.status).toBe(409)
      expect(first.body.code).toBe('NO_RESERVATION')
      await reserve(u, id, 1)
      const later = await buy(u, id, 1, 12.5, { 'idempotency-key': `nothing-held-${u}` })
      expect(later.status).toBe(201)
      expect(later.headers.get('idempotent-replayed')).toBeNull()
    })
  })

  describe('orders', () => {
    it("lists a user's orders newest first, page by page", async () => {
      const ids = [await product({ price: null }), await product({ price: null }), await product({ price: null })]
      const u = user('pager')
      for (const id of ids) {
        await reserve(u, id, 1)
        expect((await buy(u, id, 1, 1)).status).toBe(201)
      }
      const first = await api().call('GET', `/api/users/${u}/orders?limit=2`)
      expect(first.status).toBe(200)
      expect(first.body.data.orders.map((o: { product_id: string }) => o.product_id)).toEqual([ids[2], ids[1]])
      expect(first.body.data.next_cursor).toEqual(expect.any(String))
      const second = await api().call('GET', `/api/users/${u}/orders?limit=2&cursor=${first.body.data.next_cursor}`)
      expect(second.body.data.orders.map((o: { product_id: string }) => o.product_id)).toEqual([ids[0]])
      expect(second.body.data.next_cursor).toBeNull()
      expect((await api().call('GET', `/api/users/${u}/orders?limit=0`)).status).toBe(400)
      expect((await api().call('GET', `/api/users/${u}/orders?cursor=bogus`)).status).toBe(400)
      expect((await api().call('GET', '/api/users/nobody-here/orders')).body.data).toEqual({ orders: [], next_cursor: null })
    })
  })

  describe('stock changes (PATCH /api/products/:id)', () => {
    it('restocks and reduces, never below sold + reserved, and status is right at once', async () => {
      const id = await product({ total_stock: 5, price: null })
      const u = user()
      await reserve(u, id, 2)
      await buy(u, id, 1, 1)
      await reserve(u, id, 1)
      expect(await status(id)).toMatchObject({ total_stock: 5, sold: 1, reserved_stock: 1, available_stock: 3 })
      const up = await api().typed((c) => c.api.products[':productId'].$patch({ param: { productId: id }, json: { total_stock: 9 } }))
      expect(up.status).toBe(200)
      expect(up.body.data.total_stock).toBe(9)
      expect(await status(id)).toMatchObject({ total_stock: 9, available_stock: 7 })
      const low = await api().typed((c) => c.api.products[':productId'].$patch({ param: { productId: id }, json: { total_stock: 1 } }))
      expect(low.status).toBe(409)
      expect(low.body).toMatchObject({ code: 'STOCK_BELOW_COMMITTED', details: [{ minimum: 2 }] })
      expect((await api().typed((c) => c.api.products[':productId'].$patch({ param: { productId: id }, json: { total_stock: 2 } }))).status).toBe(200)
      expect(await status(id)).toMatchObject({ total_stock: 2, available_stock: 0 })
      expect((await api().typed((c) => c.api.products[':productId'].$get({ param: { productId: id } }))).body.data.total_stock).toBe(2)
      expect((await api().typed((c) => c.api.products[':productId'].$patch({ param: { productId: id }, json: { total_stock: -1 } }))).status).toBe(
        400,
      )
      expect((await api().call('PATCH', '/api/products/2147483000', { total_stock: 1 })).status).toBe(404)
    })
  })
}
