import { eq, inArray, sql } from 'drizzle-orm'
import type { Db } from './client'
import { withPostgres } from './errors'
import { products, type ProductRow } from './schema'

export type NewProduct = typeof products.$inferInsert

export function insertProduct(db: Db, values: NewProduct): Promise<ProductRow> {
  return withPostgres('insert product', async () => {
    const [row] = await db.insert(products).values(values).returning()
    return row!
  })
}

export function findProduct(db: Db, id: number): Promise<ProductRow | undefined> {
  return withPostgres('find product', async () => {
    const [row] = await db.select().from(products).where(eq(products.id, id)).limit(1)
    return row
  })
}

export function findProducts(db: Db, ids: number[]): Promise<ProductRow[]> {
  return withPostgres('find products', () => db.select().from(products).where(inArray(products.id, ids)))
}

/** Sets total_stock; the CHECK on sold refuses going below what Postgres has sold. */
export function updateTotalStock(db: Db, id: number, totalStock: number): Promise<ProductRow | undefined> {
  return withPostgres('update stock', async () => {
    const [row] = await db
      .update(products)
      .set({ totalStock, updatedAt: sql`now()` })
      .where(eq(products.id, id))
      .returning()
    return row
  })
}

/** Every product's Postgres counters, for the reconciler. */
export function productCounters(db: Db): Promise<{ id: number; sold: number; totalStock: number }[]> {
  return withPostgres('product counters', () => db.select({ id: products.id, sold: products.sold, totalStock: products.totalStock }).from(products))
}
