import { listOrders, type OrderCursor } from '../db/orders'
import type { Deps } from '../deps'
import { AppError } from '../errors/app-error'
import { orderView, type OrderView } from './order-view'

const encodeCursor = (c: OrderCursor) => btoa(`${c.createdAt.toISOString()}|${c.id}`).replace(/=+$/, '')

function decodeCursor(cursor: string): OrderCursor {
  const invalid = () => new AppError(400, 'VALIDATION_ERROR', 'Invalid request', [{ field: 'cursor', message: 'is not a cursor this API gave' }])
  let text: string
  try {
    text = atob(cursor)
  } catch {
    throw invalid()
  }
  const [at, id] = text.split('|')
  const createdAt = new Date(at ?? '')
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) throw invalid()
  return { createdAt, id }
}

/** A user's orders, newest first; `next_cursor` fetches the page after this one. */
export async function userOrders(
  deps: Deps,
  userId: string,
  limit: number,
  cursor?: string,
): Promise<{ orders: OrderView[]; next_cursor: string | null }> {
  const rows = await listOrders(deps.db, userId, limit + 1, cursor ? decodeCursor(cursor) : undefined)
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    orders: page.map(orderView),
    next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  }
}
