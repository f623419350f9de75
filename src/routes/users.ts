import { Hono } from 'hono'
import { describeRoute } from 'hono-openapi'
import { ok } from '../errors/envelope'
import { paramUserId, shopper } from '../middleware/auth'
import { limitPerIp } from '../middleware/rate-limit'
import { operation } from '../openapi/operation'
import { success } from '../openapi/responses'
import { validate } from '../openapi/validate'
import { userParams } from '../schemas/common'
import { ordersPageResponse, ordersQuery } from '../schemas/checkout'
import { holdListResponse } from '../schemas/reservations'
import { userOrders } from '../services/orders'
import { listHolds } from '../services/reservations'
import type { AppEnv } from '../types'

const docs = {
  reservations: operation({
    operationId: 'listUserReservations',
    tag: 'Users',
    summary: "A user's holds",
    description: 'Only holds that have not expired, soonest expiry first.',
    access: 'shopper',
    responses: { 200: success('The holds', holdListResponse) },
    errors: { 400: ['VALIDATION_ERROR'] },
  }),
  orders: operation({
    operationId: 'listUserOrders',
    tag: 'Users',
    summary: "A user's orders",
    description: 'Newest first, `limit` per page; pass `next_cursor` as `cursor` for the next page.',
    access: 'shopper',
    responses: {
      200: success('A page of orders', ordersPageResponse, {
        links: {
          nextPage: {
            operationId: 'listUserOrders',
            description: 'The next page, while `next_cursor` is not null',
            parameters: { userId: '$request.path.userId', limit: '$request.query.limit', cursor: '$response.body#/data/next_cursor' },
          },
        },
      }),
    },
    errors: {
      400: [
        'VALIDATION_ERROR',
        { code: 'VALIDATION_ERROR', details: [{ field: 'cursor', message: 'is not a cursor this API gave' }] },
      ],
    },
  }),
}

export const userRoutes = new Hono<AppEnv>()
  .use(limitPerIp)
  .get('/:userId/reservations', describeRoute(docs.reservations), validate('param', userParams), shopper(paramUserId), async (c) => {
    return c.json(ok(await listHolds(c.get('deps'), c.req.valid('param').userId)))
  })
  .get('/:userId/orders', describeRoute(docs.orders), validate('param', userParams), validate('query', ordersQuery), shopper(paramUserId), async (c) => {
    const { limit, cursor } = c.req.valid('query')
    return c.json(ok(await userOrders(c.get('deps'), c.req.valid('param').userId, limit, cursor)))
  })
