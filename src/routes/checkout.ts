import { Hono } from 'hono'
import { describeRoute } from 'hono-openapi'
import { bodyUserId, shopper, writeGuard } from '../middleware/auth'
import { jsonBody } from '../middleware/json-body'
import { setRateHeaders } from '../middleware/rate-limit'
import { JSON_BODY_ERRORS, operation } from '../openapi/operation'
import { success } from '../openapi/responses'
import { validate } from '../openapi/validate'
import { checkoutBody, checkoutHeaders, orderResponse } from '../schemas/checkout'
import { checkout } from '../services/checkout'
import type { AppEnv } from '../types'

const docs = operation({
  operationId: 'checkout',
  tag: 'Checkout',
  summary: 'Buy held units',
  description:
    'Turns `quantity` units of the hold into an order and releases the rest of the hold. When the product has a price, `total_amount` must be price × quantity. ' +
    "With an `Idempotency-Key` (a key belongs to its customer), retries get the first answer again (also a refusal, with its status), marked `Idempotent-Replayed: true`; once that answer has lapsed from Redis, a retry is answered from the customer's order in Postgres.",
  access: 'shopper',
  rateLimit: 'write',
  responses: {
    201: success('The order', orderResponse, { message: 'Order placed', headers: ['Idempotent-Replayed'] }),
  },
  errors: {
    ...JSON_BODY_ERRORS,
    404: ['PRODUCT_NOT_FOUND'],
    409: [
      'NO_RESERVATION',
      'QUANTITY_EXCEEDS_RESERVATION',
      'IDEMPOTENCY_KEY_IN_FLIGHT',
      { code: 'INSUFFICIENT_STOCK', error: 'Product 1 sold out before the order could be recorded', details: undefined },
    ],
    422: ['AMOUNT_MISMATCH', 'IDEMPOTENCY_KEY_REUSED'],
  },
})

export const checkoutRoutes = new Hono<AppEnv>().post(
  '/',
  describeRoute(docs),
  validate('header', checkoutHeaders),
  jsonBody,
  validate('json', checkoutBody),
  shopper(bodyUserId),
  async (c) => {
    const result = await checkout(c.get('deps'), c.req.valid('json'), c.req.valid('header')['idempotency-key'], writeGuard(c))
    setRateHeaders(c, result.rate)
    if (!result.replayed) return c.json(result.body, result.status)
    return c.body(result.body, result.status as 201, { 'content-type': 'application/json', 'Idempotent-Replayed': 'true' })
  },
)
