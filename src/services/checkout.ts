import { pgError } from '../db/errors'
import { findOrder, recordOrder } from '../db/orders'
import type { Deps } from '../deps'
import type { CheckoutRequest, PendingOrder } from '../engine/ledger'
import { AppError, StoreUnavailableError } from '../errors/app-error'
import type { ErrorCode } from '../errors/codes'
import { failure, ok } from '../errors/envelope'
import { formatMoney } from '../schemas/common'
import { sha256Hex } from '../sha256'
import type { CheckoutBody } from '../schemas/checkout'
import { productVanished } from './errors'
import { withHydration } from './hydrate'
import { orderView } from './order-view'

/** What the route answers: a fresh response, or the first answer replayed for an Idempotency-Key. */
export type CheckoutAnswer = { replayed: false; status: 201; body: ReturnType<typeof ok> } | { replayed: true; status: number; body: string }

const IN_FLIGHT_WAIT_MS = 2000
const POLL_MS = 50

/**
 * Checkout (DESIGN.md "Checkout"): take the hold into pending in Redis, record
 * the order in Postgres in one statement, then settle the pending entry. A
 * definite Postgres refusal gives the units back; no answer leaves the entry
 * for a retry or the reconciler (503).
 */
export async function checkout(deps: Deps, body: CheckoutBody, idempotencyKey?: string): Promise<CheckoutAnswer> {
  const keyHash = idempotencyKey ? await sha256Hex(idempotencyKey) : undefined
  const request: CheckoutRequest = {
    userId: body.user_id,
    productId: body.product_id,
    quantity: body.quantity,
    amountCents: body.total_amount,
    orderId: crypto.randomUUID(),
    idempotency: keyHash
      ? { keyHash, requestHash: await sha256Hex(JSON.stringify([body.user_id, body.product_id, body.quantity, body.total_amount])) }
      : undefined,
  }
  // The first answer to an idempotent request is kept and replayed to its retries.
  const refuse = async (status: 409 | 422, code: ErrorCode, message: string, details?: unknown[]): Promise<never> => {
    if (keyHash) {
      const record = { keyHash, status, body: JSON.stringify(failure(code, message, details)) }
      await deps.engine.settle({ productId: body.product_id, mode: 'confirm', record })
    }
    throw new AppError(status, code, message, details)
  }

  let taken = await withHydration(deps, [body.product_id], () => deps.engine.checkout(request))
  // A duplicate of a request still in flight waits a little for its answer, then gives up (409).
  for (let waited = 0; !taken.ok && taken.reason === 'IN_FLIGHT' && waited < IN_FLIGHT_WAIT_MS; waited += POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    taken = await deps.engine.checkout(request)
  }
  if (taken.ok) return confirm(deps, taken.order, idempotencyKey, keyHash, refuse)
  switch (taken.reason) {
    case 'REPLAY':
      return { replayed: true, status: taken.status, body: taken.body }
    case 'IN_FLIGHT':
      throw new AppError(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed', undefined, {
        'Retry-After': '1',
      })
    case 'KEY_REUSED':
      throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request')
    case 'NOT_LOADED':
      throw productVanished()
    case 'NO_RESERVATION': {
      // A retry whose first attempt completed while its answer was lost: the order exists.
      const placed = keyHash ? await findOrder(deps.db, taken.orderId) : undefined
      if (placed) return answer(deps, placed.productId, placed.id, orderView(placed), keyHash)
      return refuse(409, 'NO_RESERVATION', `User ${body.user_id} holds no reservation of product ${body.product_id}`)
    }
    case 'QUANTITY_EXCEEDS_RESERVATION':
      return refuse(409, 'QUANTITY_EXCEEDS_RESERVATION', `Only ${taken.held} unit(s) are reserved`, [{ reserved: taken.held }])
    case 'AMOUNT_MISMATCH':
      return refuse(422, 'AMOUNT_MISMATCH', `total_amount must be ${formatMoney(taken.expectedCents)}`, [
        { field: 'total_amount', expected: formatMoney(taken.expectedCents) },
      ])
  }
}

async function confirm(
  deps: Deps,
  order: PendingOrder,
  idempotencyKey: string | undefined,
  keyHash: string | undefined,
  refuse: (status: 409, code: ErrorCode, message: string) => Promise<never>,
): Promise<CheckoutAnswer> {
  let row
  try {
    row = await recordOrder(deps.db, {
      id: order.orderId,
      idempotencyKey: idempotencyKey ?? null,
      userId: order.userId,
      productId: order.productId,
      quantity: order.quantity,
      totalAmountCents: order.amountCents,
      createdAt: order.createdAt,
    })
  } catch (err) {
    if (err instanceof StoreUnavailableError || !pgError(err)) {
      // Unknown outcome: the pending entry waits for a retry or the reconciler.
      if (keyHash) await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'release', keyHash }).catch(() => {})
      throw err
    }
    await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode: 'give_back' })
    if (pgError(err)?.code === '23514') {
      return refuse(409, 'INSUFFICIENT_STOCK', `Product ${order.productId} sold out before the order could be recorded`)
    }
    throw err
  }
  return answer(deps, order.productId, order.orderId, orderView(row), keyHash)
}

/** Clears the pending entry and records the answer; the order stands even if Redis is gone now. */
async function answer(deps: Deps, productId: number, orderId: string, view: ReturnType<typeof orderView>, keyHash?: string) {
  const body = ok(view, 'Order placed')
  const record = keyHash ? { keyHash, status: 201, body: JSON.stringify(body) } : undefined
  try {
    await deps.engine.settle({ productId, orderId, mode: 'confirm', record })
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err
    deps.log('warn', 'settle_deferred', { order_id: orderId, reason: err.message }) // the reconciler clears it
  }
  return { replayed: false as const, status: 201 as const, body }
}
