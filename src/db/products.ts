import { eq, inArray } from 'drizzle-orm'
import type { Db } from './client'
import { withPostgres } from './errors'
import { products, type ProductRow } from './schema'

export type NewProduct = typeof products.$inferInsert

export function insertProduct(db: Db, values: NewProduct): Promise<ProductRow> {
  return withPostgres(async () => {
    const [row] = await db.insert(products).values(values).returning()
    return row!
  })
}

export function findProduct(db: Db, id: number): Promise<ProductRow | undefined> {
  return withPostgres(async () => {
    const [row] = await db.select().from(products).where(eq(products.id, id)).limit(1)
    return row
  })
}

export function findProducts(db: Db, ids: number[]): Promise<ProductRow[]> {
  return withPostgres(() => db.select().from(products).where(inArray(products.id, ids)))
}
