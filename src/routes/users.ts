import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { route } from '../http/route'
import { holdView, orderView } from '../http/views'
import { ordersPageResponse, ordersQuery } from '../schemas/checkout'
import { userParams } from '../schemas/common'
import { holdListResponse } from '../schemas/reservations'
import { userOrders } from '../services/orders'
import { listHolds } from '../services/reservations'

const holds = route({
  operationId: 'listUserReservations',
  tag: 'Users',
  summary: "A user's holds",
  description: 'Only holds that have not expired, soonest expiry first.',
  access: { shopper: 'path' },
  limit: 'read',
  params: userParams,
  success: { status: 200, description: 'The holds', schema: holdListResponse },
})

const orders = route({
  operationId: 'listUserOrders',
  tag: 'Users',
  summary: "A user's orders",
  description: 'Newest first, `limit` per page; pass `next_cursor` as `cursor` for the next page.',
  access: { shopper: 'path' },
  limit: 'read',
  params: userParams,
  query: ordersQuery,
  success: {
    status: 200,
    description: 'A page of orders',
    schema: ordersPageResponse,
    links: {
      nextPage: {
        operationId: 'listUserOrders',
        description: 'The next page, while `next_cursor` is not null',
        parameters: { userId: '$request.path.userId', limit: '$request.query.limit', cursor: '$response.body#/data/next_cursor' },
      },
    },
  },
  errors: [{ code: 'VALIDATION_ERROR', details: [{ field: 'cursor', message: 'is not a cursor this API gave' }] }],
})

export const userRoutes = new Hono<AppEnv>()
  .get('/:userId/reservations', holds, async (c) => holds.ok(c, (await listHolds(c.get('deps'), c.req.valid('param').userId)).map(holdView)))
  .get('/:userId/orders', orders, async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const page = await userOrders(c.get('deps'), c.req.valid('param').userId, limit, cursor)
    return orders.ok(c, { orders: page.items.map(orderView), next_cursor: page.nextCursor })
  })
