import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm'
import type { Db } from './client'
import { withPostgres } from './errors'
import { orders, products, type OrderRow } from './schema'

export interface NewOrder {
  id: string
  idempotencyKey: string | null
  userId: string
  productId: number
  quantity: number
  totalAmountCents: number
  createdAt: Date
}

/**
 * What recording an order found: the order (new, or this same order already
 * there), or — for an Idempotency-Key — another order the same customer
 * placed earlier with that key.
 */
export type RecordResult = { recorded: OrderRow } | { keyTakenBy: OrderRow }

/**
 * One atomic statement: insert the order and add its quantity to the
 * product's sold count, only if the order is new (so a replay neither
 * double-inserts nor double-counts). CHECK (sold <= total_stock) refuses an
 * oversell; the unique (user_id, idempotency_key) refuses a second order for
 * one customer's key.
 */
export async function recordOrder(db: Db, order: NewOrder): Promise<RecordResult> {
  return withPostgres('record order', async () => {
    const result = await db.execute<{ id: string; status: string }>(sql`
      WITH inserted AS (
        INSERT INTO ${orders} (id, idempotency_key, user_id, product_id, quantity, total_amount_cents, status, created_at)
        VALUES (${order.id}, ${order.idempotencyKey}, ${order.userId}, ${order.productId}, ${order.quantity},
                ${order.totalAmountCents}, 'confirmed', ${order.createdAt.toISOString()})
        ON CONFLICT DO NOTHING
        RETURNING id, status
      ), counted AS (
        UPDATE ${products} SET sold = sold + ${order.quantity}, updated_at = now()
        WHERE id = ${order.productId} AND EXISTS (SELECT 1 FROM inserted)
        RETURNING id
      )
      SELECT id, status FROM inserted`)
    const inserted = result.rows[0]
    if (inserted) return { recorded: { ...order, status: inserted.status } }
    // Not inserted: this order is already there (a replay), or the customer's key has another order.
    const sameKey = order.idempotencyKey ? and(eq(orders.userId, order.userId), eq(orders.idempotencyKey, order.idempotencyKey)) : undefined
    const [row] = await db
      .select()
      .from(orders)
      .where(or(eq(orders.id, order.id), sameKey))
      .limit(1)
    if (!row) throw new Error(`order ${order.id} was neither inserted nor found`)
    return row.id === order.id ? { recorded: row } : { keyTakenBy: row }
  })
}

/** The order a customer placed with an Idempotency-Key, if any. */
export function findOrderByKey(db: Db, userId: string, idempotencyKey: string): Promise<OrderRow | undefined> {
  return withPostgres('find order by key', async () => {
    const [row] = await db
      .select()
      .from(orders)
      .where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, idempotencyKey)))
      .limit(1)
    return row
  })
}

export function findOrders(db: Db, ids: string[]): Promise<OrderRow[]> {
  if (ids.length === 0) return Promise.resolve([])
  return withPostgres('find orders', () => db.select().from(orders).where(inArray(orders.id, ids)))
}

/** Units each user bought of a product: the purchase limit's count, when Redis must be rebuilt. */
export function boughtByUser(db: Db, productId: number): Promise<Map<string, number>> {
  return withPostgres('count bought units', async () => {
    const rows = await db
      .select({ userId: orders.userId, units: sql<string>`sum(${orders.quantity})` })
      .from(orders)
      .where(eq(orders.productId, productId))
      .groupBy(orders.userId)
    return new Map(rows.map((r) => [r.userId, Number(r.units)]))
  })
}

export interface OrderCursor {
  createdAt: Date
  id: string
}

/** A user's orders, newest first, `limit` at a time after `cursor`. */
export function listOrders(db: Db, userId: string, limit: number, cursor?: OrderCursor): Promise<OrderRow[]> {
  const after = cursor ? or(lt(orders.createdAt, cursor.createdAt), and(eq(orders.createdAt, cursor.createdAt), lt(orders.id, cursor.id))) : undefined
  return withPostgres('list orders', () =>
    db
      .select()
      .from(orders)
      .where(and(eq(orders.userId, userId), after))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(limit),
  )
}
