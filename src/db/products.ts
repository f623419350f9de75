import { and, desc, eq, inArray, lt, lte, sql } from 'drizzle-orm'
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

/** Products newest first (by id), `limit` of them with ids below `beforeId`. */
export function listProducts(db: Db, limit: number, beforeId?: number): Promise<ProductRow[]> {
  return withPostgres('list products', () =>
    db
      .select()
      .from(products)
      .where(beforeId === undefined ? undefined : lt(products.id, beforeId))
      .orderBy(desc(products.id))
      .limit(limit),
  )
}

export function findProducts(db: Db, ids: number[]): Promise<ProductRow[]> {
  return withPostgres('find products', () => db.select().from(products).where(inArray(products.id, ids)))
}

/**
 * Sets total_stock and bumps stock_version, unless that would go below what
 * Postgres has sold: then nothing changes and undefined comes back.
 */
export function updateTotalStock(db: Db, id: number, totalStock: number): Promise<ProductRow | undefined> {
  return withPostgres('update stock', async () => {
    const [row] = await db
      .update(products)
      .set({ totalStock, stockVersion: sql`${products.stockVersion} + 1`, updatedAt: sql`now()` })
      .where(and(eq(products.id, id), lte(products.sold, totalStock)))
      .returning()
    return row
  })
}

/** Sets or removes the waiting room and bumps waiting_room_version; undefined when there is no such product. */
export function updateWaitingRoom(
  db: Db,
  id: number,
  room: { admitPerSecond: number; admissionTtlSeconds: number } | null,
): Promise<ProductRow | undefined> {
  return withPostgres('update waiting room', async () => {
    const [row] = await db
      .update(products)
      .set({
        admitPerSecond: room?.admitPerSecond ?? null,
        admissionTtlSeconds: room?.admissionTtlSeconds ?? null,
        waitingRoomVersion: sql`${products.waitingRoomVersion} + 1`,
        updatedAt: sql`now()`,
      })
      .where(eq(products.id, id))
      .returning()
    return row
  })
}

/** Every product's id, for the reconciler. */
export function productIds(db: Db): Promise<number[]> {
  return withPostgres('product ids', async () => (await db.select({ id: products.id }).from(products)).map((r) => r.id))
}

export interface ProductCounters {
  id: number
  sold: number
  totalStock: number
  stockVersion: number
  /** which of the given order ids Postgres has, for this product */
  recordedOrderIds: string[]
}

/**
 * Products' counters and which of the given pending orders Postgres already
 * has, read in one statement (one snapshot: an order counted in `sold` is
 * exactly one listed as recorded).
 */
export function productCounters(db: Db, ids: number[], orderIds: string[]): Promise<ProductCounters[]> {
  if (ids.length === 0) return Promise.resolve([])
  return withPostgres('product counters', async () => {
    const rows = await db
      .select({
        id: products.id,
        sold: products.sold,
        totalStock: products.totalStock,
        stockVersion: products.stockVersion,
        // Raw names: inside a select list drizzle would print these columns unqualified.
        recordedOrderIds: sql<string[] | null>`(SELECT array_agg(o.id::text) FROM orders o WHERE o.product_id = products.id
          AND o.id::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(orderIds)}::jsonb)))`,
      })
      .from(products)
      .where(inArray(products.id, ids))
    return rows.map((r) => ({ ...r, recordedOrderIds: r.recordedOrderIds ?? [] }))
  })
}
