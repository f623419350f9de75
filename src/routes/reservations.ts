import { Hono } from 'hono'
import { ok } from '../errors/envelope'
import { jsonBody } from '../middleware/json-body'
import { validate } from '../middleware/validate'
import { holdParams } from '../schemas/common'
import { bulkReserveBody, reserveBody } from '../schemas/reservations'
import { release, reserve, reserveBulk } from '../services/reservations'
import type { AppEnv } from '../types'

export const reservationRoutes = new Hono<AppEnv>()
  .post('/', jsonBody, validate('json', reserveBody), async (c) => {
    const { user_id, product_id, quantity } = c.req.valid('json')
    return c.json(ok(await reserve(c.var.deps, user_id, product_id, quantity), 'Reserved'), 201)
  })
  .post('/bulk', jsonBody, validate('json', bulkReserveBody), async (c) => {
    const { user_id, items } = c.req.valid('json')
    const holds = await reserveBulk(
      c.var.deps,
      user_id,
      items.map((item) => ({ productId: item.product_id, quantity: item.quantity })),
    )
    return c.json(ok(holds, `Reserved ${holds.length} item(s)`), 201)
  })
  .delete('/:userId/:productId', validate('param', holdParams), async (c) => {
    const { userId, productId } = c.req.valid('param')
    return c.json(ok(await release(c.var.deps, userId, productId), 'Reservation released'))
  })
