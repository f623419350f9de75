import { Hono } from 'hono'
import { describeRoute } from 'hono-openapi'
import { ok } from '../errors/envelope'
import { bodyUserId, paramUserId, shopper, writeGuard } from '../middleware/auth'
import { turnstile } from '../middleware/challenge'
import { jsonBody } from '../middleware/json-body'
import { setRateHeaders } from '../middleware/rate-limit'
import { JSON_BODY_ERRORS, operation } from '../openapi/operation'
import { success } from '../openapi/responses'
import { validate } from '../openapi/validate'
import { holdParams } from '../schemas/common'
import { bulkReserveBody, holdListResponse, holdResponse, releaseResponse, reserveBody } from '../schemas/reservations'
import { release, reserve, reserveBulk } from '../services/reservations'
import type { AppEnv } from '../types'

const REFUSALS = ['INSUFFICIENT_STOCK', 'LIMIT_EXCEEDED', 'ADDRESS_LIMIT_EXCEEDED', 'SALE_NOT_ACTIVE'] as const
/** With TURNSTILE_SECRET_KEY set, a reserve needs a Turnstile token. */
const CHALLENGE_ERRORS = { 403: ['CHALLENGE_REQUIRED', 'CHALLENGE_FAILED'] } as const

const docs = {
  reserve: operation({
    operationId: 'reserve',
    tag: 'Reservations',
    summary: 'Hold units of a product',
    description:
      'Reserving again for the same user and product adds to the hold and restarts its clock, but no hold lives longer than HOLD_MAX_SECONDS from its first reserve. ' +
      "`max_per_user` bounds the customer's held + pending + bought units for the whole sale; one client address holds at most MAX_HELD_PER_ADDRESS units of a product.",
    access: 'shopper',
    rateLimit: 'write',
    responses: { 201: success('The hold', holdResponse, { message: 'Reserved' }) },
    errors: { ...JSON_BODY_ERRORS, ...CHALLENGE_ERRORS, 404: ['PRODUCT_NOT_FOUND'], 409: REFUSALS },
  }),
  reserveBulk: operation({
    operationId: 'reserveBulk',
    tag: 'Reservations',
    summary: 'Hold several products at once',
    description: 'All or nothing: when one item is refused nothing is held, and `details` names the failing `item` (its index).',
    access: 'shopper',
    rateLimit: 'write',
    responses: { 201: success('The holds, in the order of the items', holdListResponse, { message: 'Reserved 2 item(s)' }) },
    errors: {
      ...JSON_BODY_ERRORS,
      ...CHALLENGE_ERRORS,
      404: ['PRODUCT_NOT_FOUND'],
      409: [
        { code: 'INSUFFICIENT_STOCK', error: 'Only 1 unit(s) of product 2 available', details: [{ item: 1, product_id: '2', available: 1 }] },
        'LIMIT_EXCEEDED',
        'ADDRESS_LIMIT_EXCEEDED',
        'SALE_NOT_ACTIVE',
      ],
    },
  }),
  release: operation({
    operationId: 'releaseReservation',
    tag: 'Reservations',
    summary: 'Cancel a hold',
    description: 'Its units go back on sale at once.',
    access: 'shopper',
    rateLimit: 'write',
    responses: { 200: success('How many units were given back', releaseResponse, { message: 'Reservation released' }) },
    errors: { 400: ['VALIDATION_ERROR'], 404: ['NO_RESERVATION', 'PRODUCT_NOT_FOUND'] },
  }),
}

export const reservationRoutes = new Hono<AppEnv>()
  .post('/', describeRoute(docs.reserve), jsonBody, validate('json', reserveBody), shopper(bodyUserId), turnstile, async (c) => {
    const { user_id, product_id, quantity } = c.req.valid('json')
    const hold = await reserve(c.get('deps'), user_id, product_id, quantity, writeGuard(c))
    setRateHeaders(c, hold.rate)
    return c.json(ok(hold.data, 'Reserved'), 201)
  })
  .post('/bulk', describeRoute(docs.reserveBulk), jsonBody, validate('json', bulkReserveBody), shopper(bodyUserId), turnstile, async (c) => {
    const { user_id, items } = c.req.valid('json')
    const holds = await reserveBulk(
      c.get('deps'),
      user_id,
      items.map((item) => ({ productId: item.product_id, quantity: item.quantity })),
      writeGuard(c),
    )
    setRateHeaders(c, holds.rate)
    return c.json(ok(holds.data, `Reserved ${holds.data.length} item(s)`), 201)
  })
  .delete('/:userId/:productId', describeRoute(docs.release), validate('param', holdParams), shopper(paramUserId), async (c) => {
    const { userId, productId } = c.req.valid('param')
    const released = await release(c.get('deps'), userId, productId, writeGuard(c))
    setRateHeaders(c, released.rate)
    return c.json(ok(released.data, 'Reservation released'))
  })
