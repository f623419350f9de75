import type { OrderRow, ProductRow } from '../db/schema'
import type { RateInfo, StatusResult, WaitingRoom } from '../engine'

/**
 * What the services take and give: plain values in the domain's words
 * (camelCase, integer cents, Dates). The HTTP side turns them into answers
 * (src/http/views.ts); nothing here knows the wire.
 */

/** A write's result with the write window it went through (for RateLimit-* headers). */
export interface Rated<T> {
  value: T
  rate?: RateInfo
}

export interface NewProduct {
  name: string
  description: string | null
  totalStock: number
  priceCents: number | null
  maxPerUser: number | null
  saleStartsAt: Date | null
  saleEndsAt: Date | null
  waitingRoom: WaitingRoom | null
}

export type Product = ProductRow

/** What to change of a product; a field left out stays as it is. */
export interface ProductChanges {
  totalStock?: number
  /** null: no waiting room */
  waitingRoom?: WaitingRoom | null
}

/** A product's live counters and waiting room, from Redis (the engine's status). */
export type ProductCounts = { productId: number } & Omit<Extract<StatusResult, { ok: true }>, 'ok'>

/** A place in a product's waiting room, as joining gives it. */
export interface PlaceInLine {
  /** the signed ticket that names the place */
  ticket: string
  status: 'waiting' | 'admitted'
  /** places not admitted yet up to and including this one; 0 once admitted */
  position: number
  pollAfterSeconds: number
}

/** Where a place in line stands. */
export interface LineStatus {
  status: 'waiting' | 'admitted' | 'expired' | 'sold_out'
  position: number
  estimatedWaitSeconds: number
  /** once admitted: the token to reserve with, valid until the turn ends */
  admission?: { token: string; expiresAt: Date }
  pollAfterSeconds: number
}

/** A user's hold of one product, as it stands after a reserve or in a listing. */
export interface HeldProduct {
  userId: string
  productId: number
  quantity: number
  expiresAt: Date
  /** units the user may still reserve or buy of the product; null without max_per_user */
  mayBuyMore: number | null
}

export interface CheckoutInput {
  userId: string
  productId: number
  quantity: number
  amountCents: number
  idempotencyKey?: string
}

export type PlacedOrder = Pick<OrderRow, 'id' | 'userId' | 'productId' | 'quantity' | 'totalAmountCents' | 'status' | 'createdAt'>

/** One page of a list, and where the next one starts (null on the last). */
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}
