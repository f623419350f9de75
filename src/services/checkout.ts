import { pgError } from '../db/errors'
import { findOrderByKey, type RecordResult, recordOrder } from '../db/orders'
import type { Deps } from '../deps'
import type { CheckoutRequest, Guard, PendingOrder, RateInfo } from '../engine'
import { AppError } from '../errors/app-error'
import type { ErrorCode } from '../errors/codes'
import { StoreUnavailableError } from '../errors/store-unavailable'
import { sha256Hex } from '../lib/sha256'
import { formatMoney } from '../lib/money'
import { productVanished, rateLimited } from './errors'
import { withHydration } from './hydrate'
import type { CheckoutInput, PlacedOrder } from './types'

/** A checkout's order, and whether it is the stored answer to an earlier request with its Idempotency-Key. */
export interface CheckoutOutcome {
  order: PlacedOrder
  replayed: boolean
  rate?: RateInfo
}

const IN_FLIGHT_WAIT_MS = 2000
const POLL_MS = 50

/** One checkout request as the steps below share it. */
interface Attempt {
  deps: Deps
  input: CheckoutInput
  keyHash?: string
  rate?: RateInfo
}

/**
 * What an Idempotency-Key's record keeps of the first answer, and replays:
 * the order placed, or the refusal (its code says its status). Plain values,
 * so the HTTP side renders a replay exactly as it rendered the first answer.
 */
type Recorded =
  | { kind: 'order'; order: Omit<PlacedOrder, 'createdAt'> & { createdAt: string } }
  | { kind: 'refusal'; code: ErrorCode; message: string; details?: unknown[] }

/** The record of a placed order (JSON writes its createdAt as ISO text). */
export const orderRecord = (order: PlacedOrder) => ({ kind: 'order', body: JSON.stringify({ kind: 'order', order }) })

function replay(kind: string, body: string): PlacedOrder {
  const recorded = JSON.parse(body) as Recorded
  if (kind !== recorded.kind) throw new Error(`idempotency record of kind ${kind} holds ${recorded.kind}`)
  if (recorded.kind === 'refusal') throw new AppError(recorded.code, recorded.message, { details: recorded.details, replayed: true })
  return { ...recorded.order, createdAt: new Date(recorded.order.createdAt) }
}

/**
 * Checkout (docs/architecture.md, "Checkout"): take the hold into pending in
 * Redis, record the order in Postgres in one statement, answer, and settle the
 * pending entry after the answer. A definite Postgres refusal gives the units
 * back; no answer leaves the entry for a retry or the reconciler (503).
 *
 * An Idempotency-Key belongs to its customer: the key space is (user, key) in
 * Redis and in Postgres, so another customer's identical key neither sees nor
 * blocks this one's order.
 */
export async function checkout(deps: Deps, input: CheckoutInput, guard: Guard): Promise<CheckoutOutcome> {
  const { userId, productId, quantity, amountCents, idempotencyKey } = input
  const keyHash = idempotencyKey ? await sha256Hex(JSON.stringify([userId, idempotencyKey])) : undefined
  const request: CheckoutRequest = {
    userId,
    productId,
    quantity,
    amountCents,
    orderId: crypto.randomUUID(),
    idempotency: keyHash ? { keyHash, requestHash: await sha256Hex(JSON.stringify([userId, productId, quantity, amountCents])) } : undefined,
    guard,
  }
  let taken = await withHydration(deps, [productId], () => deps.engine.checkout(request))
  if (!taken.ok && taken.reason === 'RATE_LIMITED') throw rateLimited(deps, taken)
  if (!taken.ok && taken.reason === 'NOT_LOADED') throw productVanished()
  const attempt: Attempt = { deps, input, keyHash, rate: taken.rate }
  // A duplicate of a request still in flight waits a little for its answer, then gives up (409).
  // The wait is the same request: its write windows were counted once, on the first call.
  for (let waited = 0; !taken.ok && taken.reason === 'IN_FLIGHT' && waited < IN_FLIGHT_WAIT_MS; waited += POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    taken = await deps.engine.checkout({ ...request, guard: undefined })
  }
  // (the polls are unguarded, so never rate limited)
  if (!taken.ok && (taken.reason === 'NOT_LOADED' || taken.reason === 'RATE_LIMITED')) throw productVanished()
  if (taken.ok) return confirm(attempt, taken.order)
  switch (taken.reason) {
    case 'REPLAY':
      try {
        return { order: replay(taken.kind, taken.body), replayed: true, rate: attempt.rate }
      } catch (err) {
        throw err instanceof AppError ? err.withRate(attempt.rate) : err
      }
    case 'IN_FLIGHT':
      throw new AppError('IDEMPOTENCY_KEY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed', { retryAfter: 1 }).withRate(
        attempt.rate,
      )
    case 'KEY_REUSED':
      throw keyReused().withRate(attempt.rate)
    case 'NO_RESERVATION': {
      // A retry whose first attempt completed while its answer was lost: the customer's order exists.
      const placed = idempotencyKey ? await findOrderByKey(deps.db, userId, idempotencyKey) : undefined
      if (placed) return replayOrder(attempt, placed)
      throw new AppError('NO_RESERVATION', `User ${userId} holds no reservation of product ${productId}`, { case: 'checkout' }).withRate(attempt.rate)
    }
    case 'QUANTITY_EXCEEDS_RESERVATION':
      return refuse(attempt, 'QUANTITY_EXCEEDS_RESERVATION', `Only ${taken.held} unit(s) are reserved`, [{ reserved: taken.held }])
    case 'AMOUNT_MISMATCH':
      return refuse(attempt, 'AMOUNT_MISMATCH', `total_amount must be ${formatMoney(taken.expectedCents)}`, [
        { field: 'total_amount', expected: formatMoney(taken.expectedCents) },
      ])
  }
}

const keyReused = () => new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request')

/** Refuses a request that took its key: the refusal is its answer, replayed to its retries. */
async function refuse(a: Attempt, code: ErrorCode, message: string, details?: unknown[]): Promise<never> {
  if (a.keyHash) {
    const record = { keyHash: a.keyHash, kind: 'refusal', body: JSON.stringify({ kind: 'refusal', code, message, details } satisfies Recorded) }
    await a.deps.engine.settle({ productId: a.input.productId, mode: 'confirm', record })
  }
  throw new AppError(code, message, { details }).withRate(a.rate)
}

async function confirm(a: Attempt, order: PendingOrder): Promise<CheckoutOutcome> {
  const { deps } = a
  let result: RecordResult
  try {
    result = await recordOrder(deps.db, {
      id: order.orderId,
      idempotencyKey: a.input.idempotencyKey ?? null,
      userId: order.userId,
      productId: order.productId,
      quantity: order.quantity,
      totalAmountCents: order.amountCents,
      createdAt: order.createdAt,
    })
  } catch (err) {
    if (err instanceof StoreUnavailableError || !pgError(err)) {
      // Unknown outcome: the pending entry waits for a retry or the reconciler.
      if (a.keyHash)
        await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'release', keyHash: a.keyHash }).catch(() => {})
      throw err
    }
    await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'give_back' })
    if (pgError(err)?.code === '23514') {
      return refuse(a, 'INSUFFICIENT_STOCK', `Product ${order.productId} sold out before the order could be recorded`)
    }
    throw err
  }
  if ('keyTakenBy' in result) {
    // The customer's key already has an order (its Redis record had lapsed): these units are not bought.
    await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'give_back' })
    return replayOrder(a, result.keyTakenBy, true)
  }
  const record = a.keyHash ? { keyHash: a.keyHash, ...orderRecord(result.recorded) } : undefined
  // The order stands once Postgres has it, so the answer does not wait for the settle. A settle
  // that fails or never runs leaves a pending entry the reconciler confirms; a retry of the key
  // is IN_FLIGHT until the key's lease ends, then takes the entry over and replays the order.
  deps.background(() =>
    deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'confirm', record }).catch((err: unknown) => {
      const stores = err instanceof StoreUnavailableError
      deps.log(stores ? 'warn' : 'error', 'settle_deferred', { order_id: order.orderId, reason: stores ? err.kind : String(err) })
    }),
  )
  return { order: result.recorded, replayed: false, rate: a.rate }
}

/**
 * The customer's earlier order for this key, from Postgres: replayed when this
 * request is the same one, else 422. `record` keeps that answer for the key.
 */
async function replayOrder(a: Attempt, placed: PlacedOrder, record = false): Promise<CheckoutOutcome> {
  const { productId, quantity, amountCents } = a.input
  const same = placed.productId === productId && placed.quantity === quantity && placed.totalAmountCents === amountCents
  if (!same) {
    if (record) return refuse(a, 'IDEMPOTENCY_KEY_REUSED', keyReused().message)
    throw keyReused().withRate(a.rate)
  }
  if (record && a.keyHash) await a.deps.engine.settle({ productId, mode: 'confirm', record: { keyHash: a.keyHash, ...orderRecord(placed) } })
  return { order: placed, replayed: true, rate: a.rate }
}
