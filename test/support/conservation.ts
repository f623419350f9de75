import { expect } from 'vitest'
import pg from 'pg'
import type { ApiClient } from './client'

/** Postgres sold = Redis sold = the orders' quantities, for each product; nothing held. */
export async function expectConserved(api: ApiClient, databaseUrl: string, productIds: string[], label = '') {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    for (const id of productIds) {
      const { rows } = await client.query(
        `SELECT p.sold, p.total_stock, COALESCE((SELECT SUM(quantity) FROM orders o WHERE o.product_id = p.id), 0)::int AS ordered
         FROM products p WHERE p.id = $1`,
        [id],
      )
      const status = (await api.call('GET', `/api/products/${id}/status`)).body.data
      expect({ product: id, redis_sold: status.sold, orders: rows[0].ordered }, label).toEqual({
        product: id,
        redis_sold: rows[0].sold,
        orders: rows[0].sold,
      })
      expect(status.total_stock, label).toBe(rows[0].total_stock)
      expect(status.sold + status.reserved_stock + status.available_stock, label).toBe(status.total_stock)
    }
  } finally {
    await client.end()
  }
}

export async function sql(databaseUrl: string, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return (await client.query(text, params)).rows
  } finally {
    await client.end()
  }
}
