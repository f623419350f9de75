import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgError, pgErrorAnswer } from '../../src/db/errors'
import { insertProduct } from '../../src/db/products'
import { edgeDeps } from '../../src/deps'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

// Postgres errors that get past validation, raised by the real Postgres
// behind the local Neon-compatible server: what the API answers, and that no
// SQL text reaches the caller.

let h: NodeHarness
let admin: pg.Client
let productId = ''

/** Words of the failing statement and of the raised message: none may reach an answer. */
const SQL_TEXT = /insert|update|select|products|orders|trigger|secret|raise|sqlstate|postgres:\/\//i

beforeAll(async () => {
  h = await startNodeHarness('pgerr')
  productId = (await h.api.call('POST', '/api/products', { name: 'Target', total_stock: 10 })).body.data.id
  admin = new pg.Client({ connectionString: h.db.url })
  await admin.connect()
  // Every write to products raises the SQLSTATE in fault.code, if any.
  await admin.query(`
    CREATE TABLE fault (code text);
    CREATE FUNCTION raise_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE wanted text;
    BEGIN
      SELECT code INTO wanted FROM fault LIMIT 1;
      IF wanted IS NOT NULL THEN
        RAISE EXCEPTION 'secret: UPDATE products SET sold = 0 WHERE id = %', NEW.id USING ERRCODE = wanted;
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER raise_fault BEFORE INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION raise_fault();`)
})
afterAll(async () => {
  await admin?.end()
  await h?.close()
})

const withFault = async <T>(code: string, run: () => Promise<T>): Promise<T> => {
  await admin.query('INSERT INTO fault (code) VALUES ($1)', [code])
  try {
    return await run()
  } finally {
    await admin.query('DELETE FROM fault')
  }
}

describe('a Postgres error reply no service handles', () => {
  const cases: [sqlstate: string, meaning: string, status: number, code: string][] = [
    ['22021', 'character not in repertoire (U+0000)', 400, 'VALIDATION_ERROR'],
    ['22P02', 'invalid text representation', 400, 'VALIDATION_ERROR'],
    ['22003', 'numeric value out of range', 400, 'VALIDATION_ERROR'],
    ['22001', 'string data right truncation', 400, 'VALIDATION_ERROR'],
    ['22008', 'datetime field overflow', 400, 'VALIDATION_ERROR'],
    ['54000', 'program limit exceeded', 400, 'VALIDATION_ERROR'],
    ['23505', 'unique violation', 503, 'SERVICE_UNAVAILABLE'],
    ['23503', 'foreign key violation', 503, 'SERVICE_UNAVAILABLE'],
    ['23502', 'not null violation', 503, 'SERVICE_UNAVAILABLE'],
    ['40001', 'serialization failure', 503, 'SERVICE_UNAVAILABLE'],
    ['40P01', 'deadlock detected', 503, 'SERVICE_UNAVAILABLE'],
    ['55P03', 'lock not available', 503, 'SERVICE_UNAVAILABLE'],
    ['57014', 'query canceled (statement timeout)', 503, 'SERVICE_UNAVAILABLE'],
    ['53300', 'too many connections', 503, 'SERVICE_UNAVAILABLE'],
    ['XX000', 'internal error', 503, 'SERVICE_UNAVAILABLE'],
    // Not a data error: a bug here (wrong SQL, missing migration) stays a bare 500.
    ['42P01', 'undefined table', 500, 'INTERNAL_ERROR'],
  ]

  for (const [sqlstate, meaning, status, code] of cases) {
    it(`${sqlstate} (${meaning}) → ${status} ${code}, with no SQL text`, async () => {
      const answers = await withFault(sqlstate, async () => [
        await h.api.call('POST', '/api/products', { name: 'Faulty', total_stock: 5 }),
        await h.api.call('PATCH', `/api/products/${productId}`, { total_stock: 12 }),
      ])
      for (const res of answers) {
        expect(res.status).toBe(status)
        expect(res.body).toEqual({ success: false, code, error: expect.any(String) })
        expect(JSON.stringify(res.body)).not.toMatch(SQL_TEXT)
        expect(res.headers.get('retry-after')).toBe(status === 503 ? '2' : null)
      }
    })
  }

  it('leaves nothing half-applied', async () => {
    const res = await h.api.call('GET', `/api/products/${productId}`)
    expect(res.body.data).toMatchObject({ total_stock: 10, sold: 0 })
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM products WHERE name = 'Faulty'")
    expect(rows[0].n).toBe(0)
  })
})

describe('text Postgres cannot store', () => {
  it('is refused by Postgres itself (22021), which is why validation refuses it first', async () => {
    const db = edgeDeps(h.config).db
    const err = await insertProduct(db, { name: 'a\u0000b', totalStock: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(pgError(err)?.code).toBe('22021')
    expect(pgErrorAnswer(pgError(err)!)).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' })
    expect(pgErrorAnswer(pgError(err)!)?.message).not.toMatch(SQL_TEXT)
  })

  it('never reaches Postgres through the API: 400 naming the field', async () => {
    for (const [field, body] of [
      ['name', { name: 'a\u0000b', total_stock: 1 }],
      ['name', { name: 'a\ud800b', total_stock: 1 }],
      ['description', { name: 'ok', description: '\udc00', total_stock: 1 }],
      ['description', { name: 'ok', description: '\u0000', total_stock: 1 }],
    ] as const) {
      const res = await h.api.call('POST', '/api/products', body)
      expect(res.status).toBe(400)
      expect(res.body.details).toContainEqual({ field, message: expect.stringMatching(/U\+0000/) })
    }
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM products')
    expect(rows[0].n).toBe(1)
  })
})
