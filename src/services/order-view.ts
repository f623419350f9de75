import type { OrderRow } from '../db/schema'
import { ok } from '../errors/envelope'
import { formatMoney } from '../schemas/common'

/** An order as the API returns it. */
export function orderView(row: Pick<OrderRow, 'id' | 'userId' | 'productId' | 'quantity' | 'totalAmountCents' | 'status' | 'createdAt'>) {
  return {
    order_id: row.id,
    user_id: row.userId,
    product_id: String(row.productId),
    quantity: row.quantity,
    total_amount: formatMoney(row.totalAmountCents),
    status: row.status,
    created_at: row.createdAt.toISOString(),
  }
}

export type OrderView = ReturnType<typeof orderView>

/** The answer to a checkout that placed `row` (also what its Idempotency-Key replays). */
export function placedOrderBody(row: Parameters<typeof orderView>[0]) {
  return ok(orderView(row), 'Order placed')
}
