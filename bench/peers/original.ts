import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request, type Response } from 'express'
import { Redis } from 'ioredis'
import Joi from 'joi'
import type { Started } from './server'

/**
 * The original design, re-created minimally: Express 5, Joi validation,
 * ioredis, and a reserve script over one global counter per product
 * (`reserved:<p>` INCRBY checked against the stock) plus one key per hold
 * (`reservation:<user>:<p>` with EX 600). Its known faults (the counter never
 * goes down on expiry, …) are kept: only its speed is measured. Kinder to it
 * than the original: no rate limiter, no request log, the stock read from
 * Redis, not Postgres. Keys live under the run's `{prefix}` namespace.
 */
const RESERVE_LUA = `
local stock = tonumber(redis.call('GET', KEYS[2]))
if not stock then return -1 end
local qty = tonumber(ARGV[1])
local reserved = redis.call('INCRBY', KEYS[1], qty)
if reserved > stock then
  redis.call('DECRBY', KEYS[1], qty)
  return 0
end
redis.call('SET', KEYS[3], qty, 'EX', ARGV[2])
return 1
`

const TTL_SECONDS = 600

const reserveSchema = Joi.object({
  user_id: Joi.string()
    .pattern(/^[A-Za-z0-9_.:@-]{1,128}$/)
    .required(),
  product_id: Joi.alternatives(Joi.number().integer().positive(), Joi.string().pattern(/^\d+$/)).required(),
  quantity: Joi.number().integer().min(1).max(1000).required(),
})
const productSchema = Joi.object({ name: Joi.string().min(1).max(255).required(), total_stock: Joi.number().integer().min(0).required() })

type Reserving = Redis & { reserve(reserved: string, stock: string, hold: string, qty: string, ttl: string): Promise<number> }

export async function startOriginal(opts: { redisUrl: string; prefix: string }): Promise<Started> {
  const redis = new Redis(opts.redisUrl) as Reserving
  redis.defineCommand('reserve', { numberOfKeys: 3, lua: RESERVE_LUA }) // EVALSHA, EVAL on NOSCRIPT
  const key = (...parts: (string | number)[]) => `{${opts.prefix}}:${parts.join(':')}`
  const invalid = (res: Response, error: Joi.ValidationError) =>
    res.status(400).json({ success: false, error: error.message, code: 'VALIDATION_ERROR' })

  const app = express()
  app.use(express.json({ limit: '16kb' }))

  app.post('/api/products', async (req, res) => {
    const { error, value } = productSchema.validate(req.body)
    if (error) return invalid(res, error)
    const id = await redis.incr(key('product_seq'))
    await redis.set(key('stock', id), value.total_stock)
    res.status(201).json({ success: true, data: { id: String(id), name: value.name, total_stock: value.total_stock } })
  })

  app.get('/api/products/:id/status', async (req, res) => {
    const [stock, reserved] = await redis.mget(key('stock', req.params.id), key('reserved', req.params.id))
    res.json({ success: true, data: { total_stock: Number(stock), sold: 0, reserved_stock: Number(reserved ?? 0) } })
  })

  app.post('/api/reserve', async (req, res) => {
    const { error, value } = reserveSchema.validate(req.body)
    if (error) return invalid(res, error)
    const { user_id, product_id, quantity } = value as { user_id: string; product_id: number | string; quantity: number }
    const ok = await redis.reserve(
      key('reserved', product_id),
      key('stock', product_id),
      key('reservation', user_id, product_id),
      String(quantity),
      String(TTL_SECONDS),
    )
    if (ok === -1) return res.status(404).json({ success: false, error: 'Product not found', code: 'PRODUCT_NOT_FOUND' })
    if (ok === 0) return res.status(409).json({ success: false, error: 'Insufficient stock', code: 'INSUFFICIENT_STOCK' })
    const expires_at = new Date(Date.now() + TTL_SECONDS * 1000).toISOString()
    res.status(201).json({ success: true, data: { user_id, product_id: String(product_id), quantity, expires_at }, message: 'Reserved' })
  })

  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ success: false, error: 'Internal server error', code: 'INTERNAL_ERROR', detail: err.message })
  })

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return {
    info: { port: (server.address() as AddressInfo).port },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      redis.disconnect()
    },
  }
}
