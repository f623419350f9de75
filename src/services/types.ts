import type { OrderRow, ProductRow } from '../db/schema'
import type { RateInfo } from '../engine'

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
}

export type Product = ProductRow

/** A product's live counters, from Redis. */
export interface ProductCounts {
  productId: number
  name: string
  total: number
  sold: number
  reserved: number
  available: number
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
