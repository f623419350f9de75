import { Hono } from 'hono'
import { jsonBody } from '../middleware/json-body'
import { validate } from '../middleware/validate'
import { checkoutBody, checkoutHeaders } from '../schemas/checkout'
import { checkout } from '../services/checkout'
import type { AppEnv } from '../types'

export const checkoutRoutes = new Hono<AppEnv>().post(
  '/',
  validate('header', checkoutHeaders),
  jsonBody,
  validate('json', checkoutBody),
  async (c) => {
    const result = await checkout(c.var.deps, c.req.valid('json'), c.req.valid('header')['idempotency-key'])
    if (!result.replayed) return c.json(result.body, result.status)
    return c.body(result.body, result.status as 201, { 'content-type': 'application/json', 'Idempotent-Replayed': 'true' })
  },
)
