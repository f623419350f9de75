import type { Ledger } from './ledger'

/** The holds side of the engine: what it is given and what it answers. */

export interface EngineOptions {
  /** key namespace (REDIS_PREFIX), e.g. `fd` */
  prefix: string
  /** a hold lasts this long after its latest reserve */
  holdSeconds: number
  /** and never longer than this after its first reserve */
  holdMaxSeconds: number
}

export interface ProductInit {
  name: string
  total: number
  sold: number
  priceCents: number | null
  maxPerUser: number | null
  saleStartsAt: Date | null
  saleEndsAt: Date | null
}

export type NotLoaded = { ok: false; reason: 'NOT_LOADED' }
export type SaleNotActive = { ok: false; reason: 'SALE_NOT_ACTIVE' }
export type InsufficientStock = { ok: false; reason: 'INSUFFICIENT_STOCK'; available: number }
export type LimitExceeded = { ok: false; reason: 'LIMIT_EXCEEDED'; maxPerUser: number; held: number }

export type ReserveResult =
  | { ok: true; /** the user's whole hold now */ quantity: number; expiresAt: Date }
  | NotLoaded
  | SaleNotActive
  | InsufficientStock
  | LimitExceeded

export interface BulkItem {
  productId: number
  quantity: number
}

/** Which item (0-based index into the request) a bulk reserve failed on. */
export type ItemRef = { index: number; productId: number }

export type BulkResult =
  | { ok: true; items: { productId: number; /** whole hold now */ quantity: number; expiresAt: Date }[] }
  | (NotLoaded & ItemRef & { /** every product of the request that is not loaded */ missingProductIds: number[] })
  | ((SaleNotActive | InsufficientStock | LimitExceeded) & ItemRef)

export type ReleaseResult = { ok: true; released: number } | { ok: false; reason: 'NO_RESERVATION' } | NotLoaded

export type StatusResult =
  | { ok: true; name: string; total: number; sold: number; reserved: number; available: number }
  | NotLoaded

export interface Hold {
  productId: number
  quantity: number
  expiresAt: Date
}

export interface Engine extends Ledger {
  initProduct(id: number, p: ProductInit): Promise<boolean>
  reserve(userId: string, productId: number, quantity: number): Promise<ReserveResult>
  reserveBulk(userId: string, items: BulkItem[]): Promise<BulkResult>
  release(userId: string, productId: number): Promise<ReleaseResult>
  status(productId: number): Promise<StatusResult>
  listHolds(userId: string): Promise<Hold[]>
  purgeExpired(productId: number): Promise<number>
  /** Resolves when Redis runs scripts; throws StoreUnavailableError otherwise. */
  ping(): Promise<void>
}
