import type { OrderRow, ProductRow } from '../db/schema'
import type { StoreHealth } from '../services/health'
import type { WaitingRoom } from '../engine'
import { waitingRoomOf } from '../services/hydrate'
import type { HeldProduct, LineStatus, PlaceInLine, ProductCounts } from '../services/types'
import { formatMoney } from '../lib/money'

/**
 * What the services return, as the API writes it: snake_case, ids as
 * strings, money as "19.99", instants as ISO text. The one place the wire
 * shape of an answer is made (src/schemas/ documents it).
 */

function waitingRoomView(room: WaitingRoom | null) {
  return room && { admit_per_second: room.admitPerSecond, admission_ttl_seconds: room.admissionTtlSeconds }
}

export function productView(row: ProductRow) {
  return {
    id: String(row.id),
    name: row.name,
    description: row.description,
    total_stock: row.totalStock,
    sold: row.sold,
    price: row.priceCents === null ? null : formatMoney(row.priceCents),
    max_per_user: row.maxPerUser,
    sale_starts_at: row.saleStartsAt?.toISOString() ?? null,
    sale_ends_at: row.saleEndsAt?.toISOString() ?? null,
    waiting_room: waitingRoomView(waitingRoomOf(row)),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  }
}

export type ProductView = ReturnType<typeof productView>

export function productStatusView(s: ProductCounts) {
  return {
    product_id: String(s.productId),
    name: s.name,
    total_stock: s.total,
    sold: s.sold,
    reserved_stock: s.reserved,
    available_stock: s.available,
    waiting_room: waitingRoomView(s.waitingRoom),
    queue_length: s.queueLength,
  }
}

export type ProductStatusView = ReturnType<typeof productStatusView>

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

export function holdView(h: HeldProduct) {
  return {
    user_id: h.userId,
    product_id: String(h.productId),
    quantity: h.quantity,
    expires_at: h.expiresAt.toISOString(),
    may_buy_more: h.mayBuyMore,
  }
}

export type HoldView = ReturnType<typeof holdView>

export function placeView(p: PlaceInLine) {
  return { ticket: p.ticket, position: p.position, status: p.status }
}

export function lineStatusView(s: LineStatus) {
  return {
    position: s.position,
    status: s.status,
    estimated_wait_seconds: s.estimatedWaitSeconds,
    ...(s.admission ? { admission_token: s.admission.token, expires_at: s.admission.expiresAt.toISOString() } : {}),
  }
}

export function storeHealthView(s: StoreHealth) {
  return {
    status: s.up ? ('up' as const) : ('down' as const),
    latency_ms: s.latencyMs,
    ...(s.failure === undefined ? {} : { error: s.failure }),
    ...(s.maxmemoryPolicy === undefined ? {} : { maxmemory_policy: s.maxmemoryPolicy }),
  }
}
