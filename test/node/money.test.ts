import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatMoney, parseCents } from '../../src/lib/money'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

describe('money through the API', () => {
  let h: NodeHarness
  beforeAll(async () => {
    h = await startNodeHarness('money')
  })
  afterAll(() => h?.close())

  it('stores and checks out the amounts floating point got wrong before', async () => {
    for (const price of ['555555555.55', 555555555.55, '999999999.99', 999999999.99, '1000000000.00', 1000000000, '134217728.01', 134217728.01]) {
      const created = await h.api.call('POST', '/api/products', { name: `at ${price}`, total_stock: 5, price })
      expect(created.status, JSON.stringify(price)).toBe(201)
      expect(created.body.data.price).toBe(formatMoney(parseCents(String(price))!))
    }
    const product = (await h.api.call('POST', '/api/products', { name: 'Half', total_stock: 5, price: '555555555.55' })).body.data
    expect((await h.api.call('POST', '/api/reserve', { user_id: 'rich', product_id: product.id, quantity: 1 })).status).toBe(201)
    const order = await h.api.call('POST', '/api/checkout', { user_id: 'rich', product_id: product.id, quantity: 1, total_amount: 555555555.55 })
    expect(order.status).toBe(201)
    expect(order.body.data.total_amount).toBe('555555555.55')
  })

  it('refuses three decimals and the cent above the cap with 400 naming the field', async () => {
    for (const price of ['1.005', 1.005, '1000000000.01', 1000000000.01]) {
      const res = await h.api.call('POST', '/api/products', { name: 'x', total_stock: 1, price })
      expect(res.status, JSON.stringify(price)).toBe(400)
      expect(res.body.details).toEqual([{ field: 'price', message: expect.stringMatching(/two decimals/) }])
    }
  })
})
