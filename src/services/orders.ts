import { listOrders } from '../db/orders'
import type { OrderRow } from '../db/schema'
import type { Deps } from '../deps'
import { decodeCursor, encodeCursor } from './cursor'
import type { Page } from './types'

const UUID = /^[0-9a-f-]{36}$/

/** A user's orders, newest first, `limit` at a time after `cursor`. */
export async function userOrders(deps: Deps, userId: string, limit: number, cursor?: string): Promise<Page<OrderRow>> {
  const after = cursor ? decodeCursor(cursor, ([at, id]) => !!id && UUID.test(id) && !Number.isNaN(new Date(at ?? '').getTime())) : undefined
  const rows = await listOrders(deps.db, userId, limit + 1, after && { createdAt: new Date(after[0]!), id: after[1]! })
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt.toISOString(), last.id) : null }
}
