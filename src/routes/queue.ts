import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { route } from '../http/route'
import { lineStatusView, placeView } from '../http/views'
import { writeGuard } from '../middleware/auth'
import { setRateHeaders } from '../middleware/rate-limit'
import { productParams } from '../schemas/common'
import { joinBody, lineStatusResponse, placeResponse, ticketParams } from '../schemas/queue'
import { joinLine, placeInLine } from '../services/queue'

const join = route({
  operationId: 'joinQueue',
  tag: 'Waiting room',
  summary: "Take a place in a product's waiting room",
  description:
    'Places are admitted first come, first served, `admit_per_second` a second; only an admitted shopper may reserve the product. Joining again gives back the place the user has (while it waits or its turn lasts; after the turn, a new place at the back). One client address takes at most MAX_HELD_PER_ADDRESS places in a line. Poll the ticket after `Retry-After` seconds.',
  access: { shopper: 'body' },
  limit: 'write',
  challenge: true,
  params: productParams,
  body: joinBody,
  success: {
    status: 201,
    description: 'The place in line',
    schema: placeResponse,
    message: 'In line',
    headers: ['Retry-After'],
    links: {
      place: {
        operationId: 'getQueueStatus',
        description: 'Where the place stands, and the admission token once admitted',
        parameters: { productId: '$request.path.productId', ticket: '$response.body#/data/ticket' },
      },
    },
  },
  errors: [
    'PRODUCT_NOT_FOUND',
    'NO_WAITING_ROOM',
    'SALE_NOT_ACTIVE',
    'SOLD_OUT',
    {
      code: 'ADDRESS_LIMIT_EXCEEDED',
      error: 'This network already has 10 of the 10 place(s) in the line of product 1 one network may have',
      details: [{ product_id: '1', max_held_per_address: 10, held_by_address: 10 }],
    },
  ],
})

const poll = route({
  operationId: 'getQueueStatus',
  tag: 'Waiting room',
  summary: 'Where a place in line stands',
  description:
    "Once admitted, the answer carries the admission token to reserve with until `expires_at`. Ask again after `Retry-After` seconds (sooner as the turn nears). The ticket is checked without a store call, and the answer costs one Redis command: polls are not counted against the address's read budget.",
  access: 'public',
  limit: 'none',
  params: ticketParams,
  success: { status: 200, description: 'The place', schema: lineStatusResponse, headers: ['Retry-After'] },
  errors: ['PRODUCT_NOT_FOUND', 'TICKET_NOT_FOUND', 'NO_WAITING_ROOM'],
})

export const queueRoutes = new Hono<AppEnv>()
  .post('/:productId/queue', join, async (c) => {
    const place = await joinLine(c.get('deps'), c.req.valid('json').user_id, c.req.valid('param').productId, writeGuard(c))
    setRateHeaders(c, place.rate)
    return join.ok(c, placeView(place.value), { headers: { 'Retry-After': String(place.value.pollAfterSeconds) } })
  })
  .get('/:productId/queue/:ticket', poll, async (c) => {
    const { productId, ticket } = c.req.valid('param')
    const status = await placeInLine(c.get('deps'), productId, ticket)
    return poll.ok(c, lineStatusView(status), { headers: { 'Retry-After': String(status.pollAfterSeconds) } })
  })
