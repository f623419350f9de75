import { Hono } from 'hono'
import { ok } from '../errors/envelope'
import { validate } from '../middleware/validate'
import { userParams } from '../schemas/common'
import { ordersQuery } from '../schemas/checkout'
import { userOrders } from '../services/orders'
import { listHolds } from '../services/reservations'
import type { AppEnv } from '../types'

export const userRoutes = new Hono<AppEnv>()
  .get('/:userId/reservations', validate('param', userParams), async (c) => {
    return c.json(ok(await listHolds(c.var.deps, c.req.valid('param').userId)))
  })
  .get('/:userId/orders', validate('param', userParams), validate('query', ordersQuery), async (c) => {
    const { limit, cursor } = c.req.valid('query')
    return c.json(ok(await userOrders(c.var.deps, c.req.valid('param').userId, limit, cursor)))
  })
