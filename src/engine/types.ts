import type { RefusalMemory } from './refusal-memory'

/** The holds side of the engine: what it is given and what it answers. */

/** One sliding window: at most `max` writes per `windowMs`. */
export interface Window {
  max: number
  windowMs: number
}

/** The write limits the reserve, bulk, cancel and checkout scripts enforce. */
export interface WriteLimits {
  /** per client address (RATE_LIMIT_*) */
  address: Window
  /** per customer (USER_RATE_LIMIT_*) */
  customer: Window
  /** most units one address may hold of one product at a time; 0 = no limit */
  maxHeldPerAddress: number
}

export interface EngineOptions {
  /** key namespace (REDIS_PREFIX), e.g. `fd` */
  prefix: string
  /** a hold lasts this long after its latest reserve */
  holdSeconds: number
  /** and never longer than this after its first reserve */
  holdMaxSeconds: number
  /** without them, writes are not limited (trusted callers: tools, benchmarks) */
  limits?: WriteLimits
  /** where refused clients are remembered; one per isolate */
  refusals?: RefusalMemory
}

/**
 * Who a write comes from: its client address (normalized, see
 * src/limits/address.ts) and the customer it is counted against (the verified
 * JWT subject, else address and user id). Absent: an unguarded, trusted call.
 */
export interface Guard {
  address: string
  customer: string
}

export type RateScope = 'ip' | 'user'

/** The tighter of the write windows a guarded call went through. */
export interface RateInfo {
  scope: RateScope
  limit: number
  remaining: number
  resetAt: Date
}

/** A product's waiting room: how many places in line are admitted per second, and how long a turn lasts. */
export interface WaitingRoom {
  admitPerSecond: number
  admissionTtlSeconds: number
}

export interface ProductInit {
  name: string
  total: number
  sold: number
  priceCents: number | null
  maxPerUser: number | null
  saleStartsAt: Date | null
  saleEndsAt: Date | null
  /** Postgres's stock_version of `total` */
  stockVersion: number
  /** units each user has bought (orders in Postgres), for the purchase limit */
  bought?: Map<string, number>
  /** none when absent */
  waitingRoom?: WaitingRoom | null
  /** Postgres's waiting_room_version of `waitingRoom` (0 when absent) */
  waitingRoomVersion?: number
}

export type NotLoaded = { ok: false; reason: 'NOT_LOADED' }
export type RateLimited = { ok: false; reason: 'RATE_LIMITED'; scope: RateScope; resetAt: Date }
export type SaleNotActive = { ok: false; reason: 'SALE_NOT_ACTIVE' }
export type InsufficientStock = { ok: false; reason: 'INSUFFICIENT_STOCK'; available: number }
export type LimitExceeded = { ok: false; reason: 'LIMIT_EXCEEDED'; maxPerUser: number; held: number; bought: number }
export type AddressLimitExceeded = { ok: false; reason: 'ADDRESS_LIMIT_EXCEEDED'; maxHeldPerAddress: number; heldByAddress: number }

/** The product has a waiting room, and the request came without a valid admission from it. */
export type AdmissionRequired = { ok: false; reason: 'ADMISSION_REQUIRED' }

export type ReserveRefusal = SaleNotActive | AdmissionRequired | InsufficientStock | LimitExceeded | AddressLimitExceeded

/** What every guarded call carries: the write window it went through. */
export type Rated<T> = T & { rate?: RateInfo }

export interface HeldNow {
  /** the user's whole hold now */
  quantity: number
  expiresAt: Date
  /** units the user may still reserve or buy of the product; null without max_per_user */
  mayBuyMore: number | null
}

export type ReserveResult = Rated<({ ok: true } & HeldNow) | ReserveRefusal> | NotLoaded | RateLimited

export interface BulkItem {
  productId: number
  quantity: number
  /** the request came with a valid admission to the product's waiting room (checked by the caller) */
  admitted?: boolean
}

/** Which item (0-based index into the request) a bulk reserve failed on. */
export type ItemRef = { index: number; productId: number }

export type BulkResult =
  | Rated<{ ok: true; items: ({ productId: number } & HeldNow)[] } | (ReserveRefusal & ItemRef)>
  | (NotLoaded & ItemRef & { /** every product of the request that is not loaded */ missingProductIds: number[] })
  | RateLimited

export type ReleaseResult = Rated<{ ok: true; released: number } | { ok: false; reason: 'NO_RESERVATION' }> | NotLoaded | RateLimited

export type StatusResult =
  | {
      ok: true
      name: string
      total: number
      sold: number
      reserved: number
      available: number
      waitingRoom: WaitingRoom | null
      /** places in the waiting room's line not admitted yet */
      queueLength: number
    }
  | NotLoaded

export interface Hold extends HeldNow {
  productId: number
}
