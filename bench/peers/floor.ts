import { Hono } from 'hono'
import { Redis } from 'ioredis'
import { selfHostRedisOptions } from '../../src/self-host/deps'
import { closeServer, serveFetch, type Started } from './server'

/** The one-line script: what the cheapest possible reserve costs Redis. */
const FLOOR_LUA = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
const STOCK = 1_000_000_000

/**
 * The floor of a reserve over HTTP (issue 16): Hono on @hono/node-server
 * parsing the reserve body and running ONE EVALSHA of a one-line script over
 * ioredis, with the self-hosted server's connection options (auto-pipelining
 * included), answering 201 JSON. No validation, limits or hold bookkeeping:
 * what any Redis-backed reserve must at least pay. Counters under `{prefix}`.
 */
export async function startFloor(opts: { redisUrl: string; prefix: string }): Promise<Started> {
  const redis = new Redis(opts.redisUrl, selfHostRedisOptions())
  const sha = (await redis.script('LOAD', FLOOR_LUA)) as string
  const key = (...parts: (string | number)[]) => `{${opts.prefix}}:floor:${parts.join(':')}`
  const app = new Hono()
  app.post('/api/products', async (c) => c.json({ success: true, data: { id: String(await redis.incr(key('seq'))) } }, 201))
  app.get('/api/products/:id/status', async (c) => {
    const held = Number((await redis.get(key('held', c.req.param('id')))) ?? 0)
    return c.json({ success: true, data: { total_stock: STOCK, sold: 0, reserved_stock: held } })
  })
  app.post('/api/reserve', async (c) => {
    const body = await c.req.json<{ user_id: string; product_id: number | string; quantity: number }>()
    await redis.evalsha(sha, 1, key('held', body.product_id), String(body.quantity))
    return c.json({ success: true, data: { ...body, expires_at: new Date().toISOString() }, message: 'Reserved' }, 201)
  })
  const { port, server } = await serveFetch(app.fetch)
  return {
    info: { port },
    close: async () => {
      await closeServer(server)
      redis.disconnect()
    },
  }
}
