import { pgError } from '../db/errors'
import { findOrderByKey, recordOrder } from '../db/orders'
import type { OrderRow } from '../db/schema'
import type { Deps } from '../deps'
import type { CheckoutRequest, Guard, PendingOrder, RateInfo } from '../engine'
import { AppError } from '../errors/app-error'
import type { ErrorCode } from '../errors/codes'
import { failure, ok } from '../errors/envelope'
import { StoreUnavailableError } from '../errors/store-unavailable'
import { formatMoney } from '../schemas/common'
import type { CheckoutBody } from '../schemas/checkout'
import { sha256Hex } from '../sha256'
import { productVanished, rateLimited } from './errors'
import { withHydration } from './hydrate'
import { placedOrderBody } from './order-view'

/** What the route answers: a fresh response, or the first answer replayed for an Idempotency-Key. */
export type CheckoutAnswer = (
  | { replayed: false; status: 201; body: ReturnType<typeof ok> }
  | { replayed: true; status: number; body: string }
) & { rate?: RateInfo }

const IN_FLIGHT_WAIT_MS = 2000
const POLL_MS = 50

/** One checkout request as the steps below share it. */
interface Attempt {
  deps: Deps
  body: CheckoutBody
  idempotencyKey?: string
  keyHash?: string
  rate?: RateInfo
}

/**
 * Checkout (docs/architecture.md, "Checkout"): take the hold into pending in
 * Redis, record the order in Postgres in one statement, then settle the
 * pending entry. A definite Postgres refusal gives the units back; no answer
 * leaves the entry for a retry or the reconciler (503).
 *
 * An Idempotency-Key belongs to its customer: the key space is (user, key) in
 * Redis and in Postgres, so another customer's identical key neither sees nor
 * blocks this one's order.
 */
export async function checkout(deps: Deps, body: CheckoutBody, idempotencyKey: string | undefined, guard: Guard): Promise<CheckoutAnswer> {
  const keyHash = idempotencyKey ? await sha256Hex(JSON.stringify([body.user_id, idempotencyKey])) : undefined
  const request: CheckoutRequest = {
    userId: body.user_id,
    productId: body.product_id,
    quantity: body.quantity,
    amountCents: body.total_amount,
    orderId: crypto.randomUUID(),
    idempotency: keyHash
      ? { keyHash, requestHash: await sha256Hex(JSON.stringify([body.user_id, body.product_id, body.quantity, body.total_amount])) }
      : undefined,
    guard,
  }
  let taken = await withHydration(deps, [body.product_id], () => deps.engine.checkout(request))
  if (!taken.ok && taken.reason === 'RATE_LIMITED') throw rateLimited(deps, taken)
  if (!taken.ok && taken.reason === 'NOT_LOADED') throw productVanished()
  const attempt: Attempt = { deps, body, idempotencyKey, keyHash, rate: taken.rate }
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
      return { replayed: true, status: taken.status, body: taken.body, rate: attempt.rate }
    case 'IN_FLIGHT':
      throw new AppError(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed', undefined, {
        'Retry-After': '1',
      }).withRate(attempt.rate)
    case 'KEY_REUSED':
      throw keyReused().withRate(attempt.rate)
    case 'NO_RESERVATION': {
      // A retry whose first attempt completed while its answer was lost: the customer's order exists.
      const placed = idempotencyKey ? await findOrderByKey(deps.db, body.user_id, idempotencyKey) : undefined
      if (placed) return replayOrder(attempt, placed)
      throw new AppError(409, 'NO_RESERVATION', `User ${body.user_id} holds no reservation of product ${body.product_id}`).withRate(attempt.rate)
    }
    case 'QUANTITY_EXCEEDS_RESERVATION':
      return refuse(attempt, 409, 'QUANTITY_EXCEEDS_RESERVATION', `Only ${taken.held} unit(s) are reserved`, [{ reserved: taken.held }])
    case 'AMOUNT_MISMATCH':
      return refuse(attempt, 422, 'AMOUNT_MISMATCH', `total_amount must be ${formatMoney(taken.expectedCents)}`, [
        { field: 'total_amount', expected: formatMoney(taken.expectedCents) },
      ])
  }
}

const keyReused = () => new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request')

/** Refuses a request that took its key: the refusal is its answer, replayed to its retries. */
async function refuse(a: Attempt, status: 409 | 422, code: ErrorCode, message: string, details?: unknown[]): Promise<never> {
  if (a.keyHash) {
    const record = { keyHash: a.keyHash, status, body: JSON.stringify(failure(code, message, details)) }
    await a.deps.engine.settle({ productId: a.body.product_id, mode: 'confirm', record })
  }
  throw new AppError(status, code, message, details).withRate(a.rate)
}

async function confirm(a: Attempt, order: PendingOrder): Promise<CheckoutAnswer> {
  const { deps } = a
  let result
  try {
    result = await recordOrder(deps.db, {
      id: order.orderId,
      idempotencyKey: a.idempotencyKey ?? null,
      userId: order.userId,
      productId: order.productId,
      quantity: order.quantity,
      totalAmountCents: order.amountCents,
      createdAt: order.createdAt,
    })
  } catch (err) {
    if (err instanceof StoreUnavailableError || !pgError(err)) {
      // Unknown outcome: the pending entry waits for a retry or the reconciler.
      if (a.keyHash) await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'release', keyHash: a.keyHash }).catch(() => {})
      throw err
    }
    await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'give_back' })
    if (pgError(err)?.code === '23514') {
      return refuse(a, 409, 'INSUFFICIENT_STOCK', `Product ${order.productId} sold out before the order could be recorded`)
    }
    throw err
  }
  if ('keyTakenBy' in result) {
    // The customer's key already has an order (its Redis record had lapsed): these units are not bought.
    await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'give_back' })
    return replayOrder(a, result.keyTakenBy, true)
  }
  const body = placedOrderBody(result.recorded)
  const record = a.keyHash ? { keyHash: a.keyHash, status: 201, body: JSON.stringify(body) } : undefined
  try {
    await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'confirm', record })
  } catch (err) {
    // The order stands even if Redis is gone now; the reconciler clears the entry.
    if (!(err instanceof StoreUnavailableError)) throw err
    deps.log('warn', 'settle_deferred', { order_id: order.orderId, reason: err.kind })
  }
  return { replayed: false, status: 201, body, rate: a.rate }
}

/**
 * The customer's earlier order for this key, from Postgres: replayed when this
 * request is the same one, else 422. `record` keeps that answer for the key.
 */
async function replayOrder(a: Attempt, placed: OrderRow, record = false): Promise<CheckoutAnswer> {
  const same =
    placed.productId === a.body.product_id && placed.quantity === a.body.quantity && placed.totalAmountCents === a.body.total_amount
  if (!same) return record ? refuse(a, 422, 'IDEMPOTENCY_KEY_REUSED', keyReused().message) : Promise.reject(keyReused().withRate(a.rate))
  const body = JSON.stringify(placedOrderBody(placed))
  if (record && a.keyHash) await a.deps.engine.settle({ productId: a.body.product_id, mode: 'confirm', record: { keyHash: a.keyHash, status: 201, body } })
  return { replayed: true, status: 201, body, rate: a.rate }
}
