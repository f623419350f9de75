import { Hono } from 'hono'
import pg from 'pg'
import * as z from 'zod'
import { closeServer, serveFetch, type Started } from './server'

/**
 * The same reservation done in Postgres only, in a database of its own: one
 * atomic statement takes the units from the hot product row (row lock) and
 * upserts the hold, through `pg` with a Pool of 10, on @hono/node-server.
 * Kinder to it than a full design: no expiry sweep, no limiter.
 */
const SCHEMA = `
DROP TABLE IF EXISTS orders, products, holds CASCADE;
CREATE TABLE products (
  id serial PRIMARY KEY,
  name text NOT NULL,
  total int NOT NULL,
  sold int NOT NULL DEFAULT 0,
  reserved int NOT NULL DEFAULT 0,
  CHECK (sold + reserved <= total)
);
CREATE TABLE holds (
  user_id text NOT NULL,
  product_id int NOT NULL REFERENCES products (id),
  quantity int NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, product_id)
);
CREATE INDEX holds_expiry ON holds (product_id, expires_at);
`

const RESERVE = `
WITH taken AS (
  UPDATE products SET reserved = reserved + $3
  WHERE id = $2 AND total - sold - reserved >= $3
  RETURNING id
)
INSERT INTO holds (user_id, product_id, quantity, expires_at)
SELECT $1, id, $3, now() + interval '600 seconds' FROM taken
ON CONFLICT (user_id, product_id)
  DO UPDATE SET quantity = holds.quantity + EXCLUDED.quantity, expires_at = EXCLUDED.expires_at
RETURNING quantity, expires_at`

const reserveBody = z.object({
  user_id: z.string().regex(/^[A-Za-z0-9_.:@-]{1,128}$/),
  product_id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]),
  quantity: z.number().int().min(1).max(1000),
})
const productBody = z.object({ name: z.string().min(1).max(255), total_stock: z.number().int().min(0) })

export async function startPostgresOnly(opts: { databaseUrl: string }): Promise<Started> {
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 })
  await pool.query(SCHEMA)
  const app = new Hono()

  app.post('/api/products', async (c) => {
    const body = productBody.parse(await c.req.json())
    const { rows } = await pool.query('INSERT INTO products (name, total) VALUES ($1, $2) RETURNING id', [body.name, body.total_stock])
    return c.json({ success: true, data: { id: String(rows[0].id) } }, 201)
  })

  app.get('/api/products/:id/status', async (c) => {
    const { rows } = await pool.query(
      `SELECT total, sold, reserved, (SELECT coalesce(sum(quantity), 0)::int FROM holds WHERE product_id = $1) AS held
       FROM products WHERE id = $1`,
      [Number(c.req.param('id'))],
    )
    const r = rows[0]
    return c.json({ success: true, data: { total_stock: r.total, sold: r.sold, reserved_stock: r.reserved, held: r.held } })
  })

  app.post('/api/reserve', async (c) => {
    const parsed = reserveBody.safeParse(await c.req.json().catch(() => null))
    if (!parsed.success) return c.json({ success: false, error: 'Invalid input', code: 'VALIDATION_ERROR' }, 400)
    const { user_id, product_id, quantity } = parsed.data
    const { rows } = await pool.query(RESERVE, [user_id, product_id, quantity])
    const hold = rows[0]
    if (!hold) return c.json({ success: false, error: 'Insufficient stock', code: 'INSUFFICIENT_STOCK' }, 409)
    const data = { user_id, product_id: String(product_id), quantity: hold.quantity, expires_at: hold.expires_at.toISOString() }
    return c.json({ success: true, data, message: 'Reserved' }, 201)
  })

  const { port, server } = await serveFetch(app.fetch)
  return {
    info: { port },
    close: async () => {
      await closeServer(server)
      await pool.end()
    },
  }
}
