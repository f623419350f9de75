import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { neon, neonConfig, NeonDbError, type NeonQueryFunction } from '@neondatabase/serverless'
import { eq, sql as dsql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/neon-http'
import { check, integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openPglite, pgliteBackend, postgresBackend, startNeonServer, type NeonServer } from '../../dev/neon/server'

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
/** What the server requires in every request's connection string. */
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`

interface Running {
  server: NeonServer
  /** What the app would have in DATABASE_URL; the host:port is never dialled. */
  connectionString: string
  /** current_database() as seen through the server. */
  database: string
  stop(): Promise<void>
}

interface Fixture {
  name: string
  start(): Promise<Running>
}

async function onAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

const fixtures: Fixture[] = [
  {
    name: 'PGlite in memory',
    async start() {
      const db = await openPglite()
      const server = await startNeonServer({ backend: pgliteBackend(db), password: PASSWORD })
      return {
        server,
        connectionString: `postgresql://app:${PASSWORD}@127.0.0.1:${server.port}/flashdeal`,
        database: 'postgres',
        async stop() {
          await server.close()
          await db.close()
        },
      }
    },
  },
  {
    name: 'local Postgres',
    async start() {
      // A database of our own, so this suite never sees (or leaves) other data.
      const database = `fd_neon_${randomBytes(6).toString('hex')}`
      await onAdmin((admin) => admin.query(`CREATE DATABASE ${database}`))
      const server = await startNeonServer({ backend: postgresBackend(POSTGRES_URL), password: PASSWORD })
      return {
        server,
        connectionString: `postgresql://app:${PASSWORD}@127.0.0.1:${server.port}/${database}`,
        database,
        async stop() {
          await server.close()
          await onAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))
        },
      }
    },
  },
]

/** The driver's error, possibly wrapped by drizzle. */
function neonDbError(err: unknown): NeonDbError {
  let current: unknown = err
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof NeonDbError) return current
    current = current.cause
  }
  throw new Error(`expected a NeonDbError, got: ${String(err)}`)
}

async function rejection(promise: Promise<unknown>): Promise<NeonDbError> {
  try {
    await promise
  } catch (err) {
    return neonDbError(err)
  }
  throw new Error('expected the query to fail')
}

const deals = pgTable(
  'nsrv_deals',
  {
    id: serial('id').primaryKey(),
    title: text('title').notNull(),
    stock: integer('stock').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('nsrv_deals_stock_nonneg', dsql`${t.stock} >= 0`)],
)

const SCHEMA = [
  `CREATE TABLE samples (
    id serial PRIMARY KEY, n int, big bigint, amount numeric(12,2), label text,
    at timestamptz, meta jsonb, flag boolean, blob bytea, tags text[])`,
  `CREATE TABLE accounts (
    id serial PRIMARY KEY,
    email text NOT NULL CONSTRAINT accounts_email_key UNIQUE,
    balance int NOT NULL CONSTRAINT accounts_balance_nonneg CHECK (balance >= 0))`,
  `CREATE TABLE nsrv_deals (
    id serial PRIMARY KEY, title text NOT NULL,
    stock int NOT NULL CONSTRAINT nsrv_deals_stock_nonneg CHECK (stock >= 0),
    created_at timestamptz NOT NULL DEFAULT now())`,
]

describe.each(fixtures)('Neon HTTP server over $name', (fixture) => {
  let running: Running
  let sql: NeonQueryFunction<false, false>

  async function post(body: unknown, headers: Record<string, string> = {}, path = '/sql') {
    const url = new URL(path, running.server.url)
    const res = await fetch(url, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Neon-Connection-String': running.connectionString, ...headers },
    })
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> }
  }

  beforeAll(async () => {
    running = await fixture.start()
    neonConfig.fetchEndpoint = running.server.url
    sql = neon(running.connectionString)
    for (const ddl of SCHEMA) await sql.query(ddl)
  })

  // fetchEndpoint is process-wide, and the suites over each backend share the process.
  beforeEach(() => {
    neonConfig.fetchEndpoint = running.server.url
  })

  afterAll(async () => {
    await running?.stop()
  })

  it('queries the database named in the connection string', async () => {
    const rows = await sql`SELECT current_database() AS db`
    expect(rows).toEqual([{ db: running.database }])
  })

  it('round-trips parameters of every common type through insert … returning and select', async () => {
    const label = `It's "quoted" \\ back\\slash — ünïcødé 🚀 ${'\u{1F600}'}`
    const at = new Date('2024-02-29T23:59:58.123Z')
    const meta = { deal: 'flash', nested: { ids: [1, 2, 3], none: null }, emoji: '🔥', quote: 'a"b' }
    const big = 9007199254740993n // 2^53 + 1: not representable as a JS number

    const inserted = await sql`
      INSERT INTO samples (n, big, amount, label, at, meta, flag, blob, tags)
      VALUES (${42}, ${big}, ${'1234.50'}, ${label}, ${at}, ${meta}, ${false}, ${Buffer.from([0, 1, 254, 255])},
              ${['a', 'b,c', 'd"e', null]})
      RETURNING *`
    expect(inserted).toHaveLength(1)
    const row = inserted[0]!
    expect(row).toMatchObject({
      n: 42,
      big: '9007199254740993',
      amount: '1234.50',
      label,
      meta,
      flag: false,
      tags: ['a', 'b,c', 'd"e', null],
    })
    // The driver parses timestamptz into a Date, until a drizzle() over neon-http
    // exists in the process: drizzle then makes it text process-wide (and maps it
    // to Date itself). Whichever suite ran first decides, so accept both.
    const atMs = row.at instanceof Date ? row.at.getTime() : Date.parse(String(row.at))
    expect(atMs).toBe(at.getTime())
    expect(Buffer.from(row.blob as Uint8Array)).toEqual(Buffer.from([0, 1, 254, 255]))

    const selected = await sql`SELECT * FROM samples WHERE label = ${label} AND big = ${big} AND flag = ${false}`
    expect(selected).toEqual(inserted)

    const nulls = await sql`
      INSERT INTO samples (n, label, flag, meta) VALUES (${null}, ${null}, ${true}, ${null}) RETURNING n, label, flag, meta`
    expect(nulls).toEqual([{ n: null, label: null, flag: true, meta: null }])
  })

  it('gives fields, command and rowCount with fullResults, and arrays with arrayMode', async () => {
    const full = await sql.query('SELECT $1::int AS one, $2::text AS t', [1, 'x'], { fullResults: true })
    expect(full.command).toBe('SELECT')
    expect(full.rowCount).toBe(1)
    expect(full.rows).toEqual([{ one: 1, t: 'x' }])
    expect(full.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['one', 23],
      ['t', 25],
    ])

    const insert = await sql.query('INSERT INTO accounts (email, balance) VALUES ($1, 1), ($2, 2)', ['full-a@example.com', 'full-b@example.com'], {
      fullResults: true,
    })
    expect(insert).toMatchObject({ command: 'INSERT', rowCount: 2, rows: [] })

    const update = await sql.query('UPDATE accounts SET balance = balance + 1 WHERE email LIKE $1', ['full-%'], {
      fullResults: true,
    })
    expect(update).toMatchObject({ command: 'UPDATE', rowCount: 2 })

    const ddl = await sql.query('CREATE TABLE scratch (x int)', [], { fullResults: true })
    expect(ddl).toMatchObject({ command: 'CREATE', rowCount: null })

    const arrays = await sql.query('SELECT 1::int AS a, $1::text AS b UNION ALL SELECT 2, NULL', ['x'], {
      arrayMode: true,
    })
    expect(arrays).toEqual([
      [1, 'x'],
      [2, null],
    ])
  })

  it('runs sql.transaction() as one batch and returns every result', async () => {
    running.server.resetStats()
    const [inserted, counted, both] = await sql.transaction([
      sql`INSERT INTO accounts (email, balance) VALUES (${'tx-1@example.com'}, ${10}) RETURNING email, balance`,
      sql`SELECT count(*)::int AS n FROM accounts WHERE email = ${'tx-1@example.com'}`,
      sql`SELECT ${'a'}::text AS a, ${2}::int AS b`,
    ])
    expect(inserted).toEqual([{ email: 'tx-1@example.com', balance: 10 }])
    expect(counted).toEqual([{ n: 1 }]) // the batch sees its own earlier write
    expect(both).toEqual([{ a: 'a', b: 2 }])
    expect(running.server.stats()).toEqual({ queries: 0, batches: 1 })
  })

  it('rolls back the whole batch when a later statement fails', async () => {
    await sql`INSERT INTO accounts (email, balance) VALUES (${'taken@example.com'}, ${1})`
    const err = await rejection(
      sql.transaction([
        sql`INSERT INTO accounts (email, balance) VALUES (${'first-of-batch@example.com'}, ${5})`,
        sql`INSERT INTO accounts (email, balance) VALUES (${'taken@example.com'}, ${5})`,
      ]),
    )
    expect(err.code).toBe('23505')
    const left = await sql`SELECT email FROM accounts WHERE email = ${'first-of-batch@example.com'}`
    expect(left).toEqual([])
  })

  it('applies the batch isolation level, read-only and deferrable settings', async () => {
    const [iso, ro, def] = await sql.transaction(
      [sql`SHOW transaction_isolation`, sql`SHOW transaction_read_only`, sql`SHOW transaction_deferrable`],
      { isolationLevel: 'Serializable', readOnly: true, deferrable: true },
    )
    expect(iso).toEqual([{ transaction_isolation: 'serializable' }])
    expect(ro).toEqual([{ transaction_read_only: 'on' }])
    expect(def).toEqual([{ transaction_deferrable: 'on' }])

    const err = await rejection(
      sql.transaction([sql`INSERT INTO accounts (email, balance) VALUES (${'ro@example.com'}, ${1})`], {
        readOnly: true,
      }),
    )
    expect(err.code).toBe('25006') // read_only_sql_transaction
    expect(await sql`SELECT 1 FROM accounts WHERE email = ${'ro@example.com'}`).toEqual([])

    const [readCommitted] = await sql.transaction([sql`SHOW transaction_isolation`], {
      isolationLevel: 'ReadCommitted',
    })
    expect(readCommitted).toEqual([{ transaction_isolation: 'read committed' }])
  })

  it('raises NeonDbError with the Postgres fields for a unique violation', async () => {
    await sql`INSERT INTO accounts (email, balance) VALUES (${'dup@example.com'}, ${1})`
    const err = await rejection(sql`INSERT INTO accounts (email, balance) VALUES (${'dup@example.com'}, ${2})`)
    expect(err).toBeInstanceOf(NeonDbError)
    expect(err).toMatchObject({
      code: '23505',
      constraint: 'accounts_email_key',
      table: 'accounts',
      schema: 'public',
      severity: 'ERROR',
    })
    expect(err.detail).toBe('Key (email)=(dup@example.com) already exists.')
    expect(err.message).toContain('accounts_email_key')
  })

  it('raises NeonDbError with the Postgres fields for a check violation', async () => {
    const err = await rejection(sql`INSERT INTO accounts (email, balance) VALUES (${'neg@example.com'}, ${-5})`)
    expect(err).toMatchObject({ code: '23514', constraint: 'accounts_balance_nonneg', table: 'accounts' })
  })

  it('reports the position of a syntax error', async () => {
    const err = await rejection(sql.query('SELECT 1 FROM WHERE'))
    expect(err.code).toBe('42601')
    expect(err.position).toBe('15')
  })

  it('works under drizzle-orm/neon-http: insert, select, update and atomic db.batch', async () => {
    const db = drizzle({ client: neon(running.connectionString) })

    const [created] = await db.insert(deals).values({ title: 'Lamp', stock: 3 }).returning()
    expect(created).toMatchObject({ title: 'Lamp', stock: 3 })
    expect(created!.createdAt).toBeInstanceOf(Date)

    const found = await db.select().from(deals).where(eq(deals.id, created!.id))
    expect(found).toEqual([created])

    const [updated] = await db
      .update(deals)
      .set({ stock: dsql`${deals.stock} - 1` })
      .where(eq(deals.id, created!.id))
      .returning({ stock: deals.stock })
    expect(updated).toEqual({ stock: 2 })

    const [added, listed] = await db.batch([
      db.insert(deals).values({ title: 'Desk', stock: 1 }).returning({ title: deals.title }),
      db.select({ title: deals.title }).from(deals).orderBy(deals.id),
    ])
    expect(added).toEqual([{ title: 'Desk' }])
    expect(listed).toEqual([{ title: 'Lamp' }, { title: 'Desk' }])

    const err = await rejection(
      db.batch([db.insert(deals).values({ title: 'Chair', stock: 5 }), db.update(deals).set({ stock: -1 }).where(eq(deals.id, created!.id))]),
    )
    expect(err).toMatchObject({ code: '23514', constraint: 'nsrv_deals_stock_nonneg' })
    expect(await db.select().from(deals).where(eq(deals.title, 'Chair'))).toEqual([])
    const [lamp] = await db.select({ stock: deals.stock }).from(deals).where(eq(deals.id, created!.id))
    expect(lamp).toEqual({ stock: 2 })
  })

  it('never interleaves a failing batch with concurrent single queries', async () => {
    const singles = Array.from({ length: 12 }, (_, i) => sql`INSERT INTO accounts (email, balance) VALUES (${`conc-${i}@example.com`}, ${i})`)
    const batch = rejection(
      sql.transaction([
        sql`INSERT INTO accounts (email, balance) VALUES (${'conc-batch@example.com'}, ${1})`,
        sql`SELECT pg_sleep(0.05)`,
        sql`INSERT INTO accounts (email, balance) VALUES (${'conc-batch@example.com'}, ${1})`,
      ]),
    )
    const [err] = await Promise.all([batch, ...singles])
    expect(err.code).toBe('23505')
    const rows = await sql`SELECT email FROM accounts WHERE email LIKE 'conc-%' ORDER BY balance, email`
    expect(rows).toHaveLength(12)
    expect(rows.map((r) => r.email)).not.toContain('conc-batch@example.com')
  })

  it('counts single queries and batches', async () => {
    running.server.resetStats()
    await sql`SELECT 1`
    await sql`SELECT 2`
    await sql.transaction([sql`SELECT 1`, sql`SELECT 2`])
    expect(running.server.stats()).toEqual({ queries: 2, batches: 1 })
  })

  describe('wire protocol', () => {
    it('without raw-text output returns JSON values, as objects unless array mode', async () => {
      const res = await post({
        query: `SELECT $1::int[] AS ints, $2::jsonb AS doc, 2.5::float8 AS f, 'NaN'::float8 AS nan,
                       $3::bool AS yes, 9007199254740993::bigint AS big, $4::text[] AS texts, 7::int2 AS small`,
        params: [[1, 2, null], { k: ['v', 1] }, true, ['x', 'y "z"', null, 'NULL']],
      })
      expect(res.status).toBe(200)
      expect(res.json).toMatchObject({
        command: 'SELECT',
        rowCount: 1,
        rowAsArray: false,
        rows: [
          {
            ints: [1, 2, null],
            doc: { k: ['v', 1] },
            f: 2.5,
            nan: 'NaN',
            yes: true,
            big: '9007199254740993',
            texts: ['x', 'y "z"', null, 'NULL'],
            small: 7,
          },
        ],
      })
    })

    it('returns every value as text with Neon-Raw-Text-Output, and honours arrayMode in the body', async () => {
      const headers = { 'Neon-Raw-Text-Output': 'true', 'Neon-Array-Mode': 'true' }
      const query = 'SELECT 1::int AS i, true AS b, \'{"a":1}\'::jsonb AS j, NULL::text AS n'
      const arrays = await post({ query }, headers)
      expect(arrays.json).toMatchObject({ rowAsArray: true, rows: [['1', 't', '{"a": 1}', null]] })
      const objects = await post({ query, arrayMode: false }, headers)
      expect(objects.json).toMatchObject({ rowAsArray: false, rows: [{ i: '1', b: 't', j: '{"a": 1}', n: null }] })
      const fields = (arrays.json.fields as { name: string; dataTypeID: number; format: string }[]).map(({ name, dataTypeID, format }) => ({
        name,
        dataTypeID,
        format,
      }))
      expect(fields).toEqual([
        { name: 'i', dataTypeID: 23, format: 'text' },
        { name: 'b', dataTypeID: 16, format: 'text' },
        { name: 'j', dataTypeID: 3802, format: 'text' },
        { name: 'n', dataTypeID: 25, format: 'text' },
      ])
    })

    it('answers a batch with { results } and echoes the transaction headers', async () => {
      const res = await post(
        {
          queries: [
            { query: 'SELECT $1::int AS a', params: ['5'] },
            { query: 'SELECT 2 AS b', arrayMode: true },
          ],
        },
        { 'Neon-Batch-Isolation-Level': 'RepeatableRead', 'Neon-Batch-Read-Only': 'true' },
      )
      expect(res.status).toBe(200)
      expect(res.json.results).toMatchObject([{ rows: [{ a: 5 }] }, { rows: [[2]], rowAsArray: true }])
      expect(res.headers.get('neon-batch-isolation-level')).toBe('RepeatableRead')
      expect(res.headers.get('neon-batch-read-only')).toBe('true')
      expect(res.headers.get('neon-batch-deferrable')).toBeNull()
    })

    it('refuses several statements in one query, like a prepared statement', async () => {
      const res = await post({ query: 'SELECT 1; SELECT 2' })
      expect(res.status).toBe(400)
      expect(res.json.code).toBe('42601')
    })

    it('answers bad requests with 400 { message } and unknown paths with 404', async () => {
      const notJson = await post('{nope')
      expect(notJson.status).toBe(400)
      expect(notJson.json.message).toMatch(/JSON/)

      const noQuery = await post({ params: [] })
      expect(noQuery.status).toBe(400)
      expect(noQuery.json.message).toMatch(/query/)

      const badParams = await post({ query: 'SELECT 1', params: 'x' })
      expect(badParams.status).toBe(400)

      const badBatch = await post({ queries: [{ query: 'SELECT 1' }, { nope: true }] })
      expect(badBatch.status).toBe(400)
      expect(badBatch.json.message).toMatch(/queries\[1\]/)

      const badLevel = await post({ queries: [] }, { 'Neon-Batch-Isolation-Level': 'Whatever' })
      expect(badLevel.status).toBe(400)
      expect(badLevel.json.message).toBe('invalid isolation level')

      const unknown = await post({ query: 'SELECT 1' }, {}, '/nope')
      expect(unknown.status).toBe(404)
      expect(unknown.json.message).toMatch(/nope/)

      const get = await fetch(running.server.url)
      expect(get.status).toBe(405)
      await get.arrayBuffer()

      // The server is still fine afterwards.
      expect(await sql`SELECT 1 AS ok`).toEqual([{ ok: 1 }])
    })
  })
})

describe('Neon HTTP server, lifecycle', () => {
  it('keeps PGlite data on disk across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fd-neon-pglite-'))
    try {
      const first = await openPglite(dir)
      const server1 = await startNeonServer({ backend: pgliteBackend(first), password: PASSWORD })
      neonConfig.fetchEndpoint = server1.url
      const sql1 = neon(`postgresql://app:${PASSWORD}@127.0.0.1:${server1.port}/flashdeal`)
      await sql1.query('CREATE TABLE kept (id int PRIMARY KEY, note text)')
      await sql1`INSERT INTO kept VALUES (${1}, ${'survives 💾'})`
      await sql1.transaction([sql1`INSERT INTO kept VALUES (${2}, ${'batched'})`])
      await server1.close()
      await first.close()

      const second = await openPglite(dir)
      const server2 = await startNeonServer({ backend: pgliteBackend(second), password: PASSWORD })
      try {
        neonConfig.fetchEndpoint = server2.url
        const sql2 = neon(`postgresql://app:${PASSWORD}@127.0.0.1:${server2.port}/flashdeal`)
        expect(await sql2`SELECT id, note FROM kept ORDER BY id`).toEqual([
          { id: 1, note: 'survives 💾' },
          { id: 2, note: 'batched' },
        ])
      } finally {
        await server2.close()
        await second.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('answers 5xx quickly when Postgres is unreachable, so the driver throws instead of hanging', async () => {
    const server = await startNeonServer({ backend: postgresBackend('postgres://postgres@127.0.0.1:1/x'), password: PASSWORD })
    try {
      neonConfig.fetchEndpoint = server.url
      const sql = neon(`postgresql://app:${PASSWORD}@127.0.0.1:${server.port}/x`)
      const started = Date.now()
      const err = await rejection(sql`SELECT 1`)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(err.message).toMatch(/^Server error \(HTTP status 5\d\d\)/)
      expect(err.code).toBeUndefined()

      const batchErr = await rejection(sql.transaction([sql`SELECT 1`]))
      expect(batchErr.message).toMatch(/^Server error \(HTTP status 5\d\d\)/)
    } finally {
      await server.close()
    }
  })

  it('passes on Postgres refusing an unknown database as a Postgres error', async () => {
    const server = await startNeonServer({ backend: postgresBackend(POSTGRES_URL), password: PASSWORD })
    try {
      neonConfig.fetchEndpoint = server.url
      const missing = `fd_neon_missing_${randomBytes(6).toString('hex')}`
      const sql = neon(`postgresql://app:${PASSWORD}@127.0.0.1:${server.port}/${missing}`)
      const err = await rejection(sql`SELECT 1`)
      expect(err.code).toBe('3D000') // invalid_catalog_name
      expect(err.message).toContain(missing)
    } finally {
      await server.close()
    }
  })

  it('answers 503 after close() and then refuses connections', async () => {
    const db = await openPglite()
    const backend = pgliteBackend(db)
    const server = await startNeonServer({ backend, password: PASSWORD })
    try {
      await backend.close()
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'Neon-Connection-String': `postgresql://app:${PASSWORD}@127.0.0.1:${server.port}/x` },
        body: JSON.stringify({ query: 'SELECT 1' }),
      })
      expect(res.status).toBe(503)
      await res.arrayBuffer()
    } finally {
      await server.close()
      await server.close() // idempotent
      await db.close()
    }
    await expect(fetch(server.url, { method: 'POST', body: '{}' })).rejects.toThrow()
  })
})

describe('Neon HTTP server, access', () => {
  let db: Awaited<ReturnType<typeof openPglite>>
  let server: NeonServer
  const connection = (password: string | null, user = 'flashdeal') =>
    `postgresql://${user}${password === null ? '' : `:${password}`}@127.0.0.1:${server.port}/pglite`
  const raw = (init: RequestInit, path = '/sql') => fetch(new URL(path, server.url), init)

  beforeAll(async () => {
    db = await openPglite()
    server = await startNeonServer({ backend: pgliteBackend(db), password: PASSWORD })
    neonConfig.fetchEndpoint = server.url
  })
  beforeEach(() => {
    neonConfig.fetchEndpoint = server.url
  })
  afterAll(async () => {
    await server?.close()
    await db?.close()
  })

  it('runs nothing for a wrong or missing password and answers as Neon does (400 with the reason)', async () => {
    const wrong = await rejection(neon(connection('guessed'))`CREATE TABLE intruder (id int)`)
    expect(wrong.message).toBe("password authentication failed for user 'flashdeal'")
    expect(wrong.code).toBeUndefined() // not a Postgres error: the app treats it as the store being unusable

    const missing = await rejection(neon(connection(null)).transaction((tx) => [tx`CREATE TABLE intruder (id int)`]))
    expect(missing.message).toBe('missing authentication credentials: required password')

    const noHeader = await raw({ method: 'POST', body: JSON.stringify({ query: 'CREATE TABLE intruder (id int)' }) })
    expect(noHeader.status).toBe(400)
    expect(await noHeader.json()).toEqual({ message: 'invalid header: neon-connection-string' })

    // The right password works, and none of the refused statements ran.
    const sql = neon(connection(PASSWORD))
    expect(await sql`SELECT to_regclass('intruder') AS t`).toEqual([{ t: null }])
  })

  it('sends no CORS header on any answer, preflight included', async () => {
    const origin = { origin: 'https://evil.example' }
    const connectionHeader = { 'Neon-Connection-String': connection(PASSWORD) }
    const answers = await Promise.all([
      raw({ method: 'POST', headers: { ...origin, ...connectionHeader }, body: JSON.stringify({ query: 'SELECT 1' }) }),
      raw({ method: 'POST', headers: { ...origin, 'Neon-Connection-String': connection('nope') }, body: JSON.stringify({ query: 'SELECT 1' }) }),
      raw({
        method: 'OPTIONS',
        headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'neon-connection-string' },
      }),
      raw({ method: 'GET', headers: origin }),
      raw({ method: 'POST', headers: origin }, '/elsewhere'),
    ])
    expect(answers.map((res) => res.status)).toEqual([200, 400, 405, 405, 404])
    for (const res of answers) {
      expect([...res.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([])
      await res.arrayBuffer()
    }
  })

  it('adds delayMs before each answer (a far store region), with the driver unchanged', async () => {
    const slow = await startNeonServer({ backend: pgliteBackend(db), password: PASSWORD, delayMs: 150 })
    try {
      neonConfig.fetchEndpoint = slow.url
      const sql = neon(`postgresql://flashdeal:${PASSWORD}@127.0.0.1:${slow.port}/pglite`)
      const started = performance.now()
      expect(await sql`SELECT 1 AS ok`).toEqual([{ ok: 1 }])
      expect(performance.now() - started).toBeGreaterThanOrEqual(150)
    } finally {
      await slow.close()
    }
  })
})
