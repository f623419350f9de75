import { Hono } from 'hono'
import { closeServer, serveFetch, type Started } from './server'

/**
 * The HTTP ceiling: Hono on @hono/node-server parsing the reserve body and
 * answering JSON, with no store behind it.
 */
export async function startBareHono(): Promise<Started> {
  const app = new Hono()
  app.post('/api/products', (c) => c.json({ success: true, data: { id: '1' } }, 201))
  app.get('/api/products/:id/status', (c) => c.json({ success: true, data: { total_stock: 0, sold: 0, reserved_stock: 0 } }))
  app.post('/api/reserve', async (c) => {
    const body = await c.req.json<Record<string, unknown>>()
    return c.json({ success: true, data: { ...body, expires_at: new Date().toISOString() }, message: 'Reserved' }, 201)
  })
  const { port, server } = await serveFetch(app.fetch)
  return { info: { port }, close: () => closeServer(server) }
}
