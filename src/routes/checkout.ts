import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { route } from '../http/route'
import { orderView } from '../http/views'
import { writeGuard } from '../middleware/auth'
import { setRateHeaders } from '../middleware/rate-limit'
import { checkoutBody, checkoutHeaders, orderResponse } from '../schemas/checkout'
import { checkout } from '../services/checkout'

const buy = route({
  operationId: 'checkout',
  tag: 'Checkout',
  summary: 'Buy held units',
  description:
    'Turns `quantity` units of the hold into an order and releases the rest of the hold. When the product has a price, `total_amount` must be price × quantity. ' +
    "With an `Idempotency-Key` (a key belongs to its customer), retries get the first answer again (also a refusal, with its status), marked `Idempotent-Replayed: true`; once that answer has lapsed from Redis, a retry is answered from the customer's order in Postgres.",
  access: { shopper: 'body' },
  limit: 'write',
  headers: checkoutHeaders,
  body: checkoutBody,
  success: { status: 201, description: 'The order', schema: orderResponse, message: 'Order placed', headers: ['Idempotent-Replayed'] },
  errors: [
    'PRODUCT_NOT_FOUND',
    { code: 'NO_RESERVATION', case: 'checkout' },
    'QUANTITY_EXCEEDS_RESERVATION',
    'IDEMPOTENCY_KEY_IN_FLIGHT',
    { code: 'INSUFFICIENT_STOCK', error: 'Product 1 sold out before the order could be recorded', details: undefined },
    'AMOUNT_MISMATCH',
    'IDEMPOTENCY_KEY_REUSED',
  ],
})

export const checkoutRoutes = new Hono<AppEnv>().post('/', buy, async (c) => {
  const { user_id, product_id, quantity, total_amount } = c.req.valid('json')
  const idempotencyKey = c.req.valid('header')['idempotency-key']
  const input = { userId: user_id, productId: product_id, quantity, amountCents: total_amount, idempotencyKey }
  const outcome = await checkout(c.get('deps'), input, writeGuard(c))
  setRateHeaders(c, outcome.rate)
  return buy.ok(c, orderView(outcome.order), outcome.replayed ? { headers: { 'Idempotent-Replayed': 'true' } } : {})
})
