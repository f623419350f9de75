import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { route } from '../http/route'
import { holdView } from '../http/views'
import { writeGuard } from '../middleware/auth'
import { setRateHeaders } from '../middleware/rate-limit'
import { holdParams } from '../schemas/common'
import { bulkReserveBody, holdListResponse, holdResponse, releaseResponse, reserveBody, reserveHeaders } from '../schemas/reservations'
import { release, reserve, reserveBulk } from '../services/reservations'

const HOLD_RULES =
  "`max_per_user` bounds the customer's held + pending + bought units for the whole sale; one client address holds at most MAX_HELD_PER_ADDRESS units of a product. " +
  'A product with a `waiting_room` needs the admission token its line gave the shopper (`X-Admission-Token`, or `admission_token` in the body), until it expires.'

/** The admission tokens of X-Admission-Token (comma-separated) and of the body. */
const admissionsOf = (header: string | undefined, ...inBody: (string | undefined)[]) =>
  [...(header?.split(',') ?? []), ...inBody].flatMap((t) => (t?.trim() ? [t.trim()] : []))

const hold = route({
  operationId: 'reserve',
  tag: 'Reservations',
  summary: 'Hold units of a product',
  description: `Reserving again for the same user and product adds to the hold and restarts its clock, but no hold lives longer than HOLD_MAX_SECONDS from its first reserve. ${HOLD_RULES}`,
  access: { shopper: 'body' },
  limit: 'write',
  challenge: true,
  headers: reserveHeaders,
  body: reserveBody,
  success: {
    status: 201,
    description: 'The hold',
    schema: holdResponse,
    message: 'Reserved',
    links: {
      cancel: {
        operationId: 'releaseReservation',
        description: 'Give the hold back',
        parameters: { userId: '$response.body#/data/user_id', productId: '$response.body#/data/product_id' },
      },
    },
  },
  errors: [
    'PRODUCT_NOT_FOUND',
    'INSUFFICIENT_STOCK',
    'LIMIT_EXCEEDED',
    'ADDRESS_LIMIT_EXCEEDED',
    'SALE_NOT_ACTIVE',
    'ADMISSION_REQUIRED',
    'ADMISSION_INVALID',
  ],
})

const holdMany = route({
  operationId: 'reserveBulk',
  tag: 'Reservations',
  summary: 'Hold several products at once',
  description: `All or nothing: when one item is refused nothing is held, and \`details\` names the failing \`item\` (its index). ${HOLD_RULES}`,
  access: { shopper: 'body' },
  limit: 'write',
  challenge: true,
  headers: reserveHeaders,
  body: bulkReserveBody,
  success: { status: 201, description: 'The holds, in the order of the items', schema: holdListResponse, message: 'Reserved 2 item(s)' },
  errors: [
    'PRODUCT_NOT_FOUND',
    { code: 'INSUFFICIENT_STOCK', error: 'Only 1 unit(s) of product 2 available', details: [{ item: 1, product_id: '2', available: 1 }] },
    'LIMIT_EXCEEDED',
    'ADDRESS_LIMIT_EXCEEDED',
    'SALE_NOT_ACTIVE',
    {
      code: 'ADMISSION_REQUIRED',
      error: 'Product 2 has a waiting room: join the line, and reserve with the admission token once it is your turn',
      details: [{ item: 1, product_id: '2' }],
    },
    'ADMISSION_INVALID',
  ],
})

const cancel = route({
  operationId: 'releaseReservation',
  tag: 'Reservations',
  summary: 'Cancel a hold',
  description: 'Its units go back on sale at once.',
  access: { shopper: 'path' },
  limit: 'write',
  params: holdParams,
  success: { status: 200, description: 'How many units were given back', schema: releaseResponse, message: 'Reservation released' },
  errors: [{ code: 'NO_RESERVATION', case: 'cancel' }, 'PRODUCT_NOT_FOUND'],
})

export const reservationRoutes = new Hono<AppEnv>()
  .post('/', hold, async (c) => {
    const { user_id, product_id, quantity, admission_token } = c.req.valid('json')
    const admissions = admissionsOf(c.req.valid('header')['x-admission-token'], admission_token)
    const held = await reserve(c.get('deps'), user_id, product_id, quantity, writeGuard(c), admissions)
    setRateHeaders(c, held.rate)
    return hold.ok(c, holdView(held.value))
  })
  .post('/bulk', holdMany, async (c) => {
    const { user_id, items } = c.req.valid('json')
    const bulk = items.map((item) => ({ productId: item.product_id, quantity: item.quantity, admission: item.admission_token }))
    const held = await reserveBulk(c.get('deps'), user_id, bulk, writeGuard(c), admissionsOf(c.req.valid('header')['x-admission-token']))
    setRateHeaders(c, held.rate)
    return holdMany.ok(c, held.value.map(holdView), { message: `Reserved ${held.value.length} item(s)` })
  })
  .delete('/:userId/:productId', cancel, async (c) => {
    const { userId, productId } = c.req.valid('param')
    const released = await release(c.get('deps'), userId, productId, writeGuard(c))
    setRateHeaders(c, released.rate)
    return cancel.ok(c, released.value)
  })
