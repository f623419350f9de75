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
 * One atomic statement: insert the order and add its quantity to the
 * product's sold count, only if the order is new (so a replay neither
 * double-inserts nor double-counts). CHECK (sold <= total_stock) refuses an
 * oversell. Returns the order, new or already there.
 */
export async function recordOrder(db: Db, order: NewOrder): Promise<OrderRow> {
  return withPostgres(async () => {
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
    if (inserted) {
      return { ...order, status: inserted.status }
    }
    // A replay: the order is already there (by id, or by idempotency key).
    const matchesKey = order.idempotencyKey ? eq(orders.idempotencyKey, order.idempotencyKey) : undefined
    const [row] = await db
      .select()
      .from(orders)
      .where(or(eq(orders.id, order.id), matchesKey))
      .limit(1)
    if (!row) throw new Error(`order ${order.id} was neither inserted nor found`)
    return row
  })
}

export function findOrder(db: Db, id: string): Promise<OrderRow | undefined> {
  return withPostgres(async () => (await db.select().from(orders).where(eq(orders.id, id)).limit(1))[0])
}

export function existingOrderIds(db: Db, ids: string[]): Promise<Set<string>> {
  return withPostgres(async () => {
    if (ids.length === 0) return new Set<string>()
    const rows = await db.select({ id: orders.id }).from(orders).where(inArray(orders.id, ids))
    return new Set(rows.map((r) => r.id))
  })
}

export interface OrderCursor {
  createdAt: Date
  id: string
}

/** A user's orders, newest first, `limit` at a time after `cursor`. */
export function listOrders(db: Db, userId: string, limit: number, cursor?: OrderCursor): Promise<OrderRow[]> {
  const after = cursor
    ? or(lt(orders.createdAt, cursor.createdAt), and(eq(orders.createdAt, cursor.createdAt), lt(orders.id, cursor.id)))
    : undefined
  return withPostgres(() =>
    db
      .select()
      .from(orders)
      .where(and(eq(orders.userId, userId), after))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(limit),
  )
}
