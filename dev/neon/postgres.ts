import pg from 'pg'
import { asText, BackendClosedError, transactionModes, type SqlBackend, type Statement, type TextResult } from './backend'

const POOL_MAX = 4
const CONNECT_TIMEOUT_MS = 5_000

// Every value stays Postgres text: the Neon driver runs its own type parsers.
const textTypes: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value }

/**
 * `queryMode: 'extended'` (accepted by pg, missing from @types/pg) makes even a
 * parameterless query a single prepared statement, as over Neon's HTTP API:
 * "SELECT 1; SELECT 2" is refused instead of running both.
 */
type ExtendedArrayQuery = pg.QueryArrayConfig & { queryMode: 'extended' }

async function run(client: pg.Pool | pg.PoolClient, statement: Statement): Promise<TextResult> {
  const config: ExtendedArrayQuery = {
    text: statement.query,
    values: statement.params,
    rowMode: 'array',
    types: textTypes,
    queryMode: 'extended',
  }
  const result = await client.query(config)
  return {
    command: result.command,
    rowCount: result.rowCount,
    fields: result.fields.map(({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier }) => ({
      name,
      dataTypeID,
      tableID,
      columnID,
      dataTypeSize,
      dataTypeModifier,
    })),
    rows: result.rows.map((row: unknown[]) => row.map(asText)),
  }
}

/**
 * Serves a real Postgres server. The request's database name picks the
 * database on it (host, port, user and password come from `baseUrl`), so a
 * test can isolate itself with CREATE DATABASE. One small pool per database,
 * created on first use.
 */
export function postgresBackend(baseUrl: string): SqlBackend {
  const base = new URL(baseUrl)
  const defaultDatabase = decodeURIComponent(base.pathname.slice(1)) || 'postgres'
  const pools = new Map<string, pg.Pool>()
  let closed = false

  function poolFor(database: string | null): pg.Pool {
    if (closed) throw new BackendClosedError()
    const name = database ?? defaultDatabase
    let pool = pools.get(name)
    if (!pool) {
      const url = new URL(base)
      url.pathname = `/${encodeURIComponent(name)}`
      pool = new pg.Pool({
        connectionString: url.toString(),
        max: POOL_MAX,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        idleTimeoutMillis: 10_000,
        application_name: 'neon-dev-server',
      })
      // An idle client died (server restart, DROP DATABASE … WITH (FORCE)):
      // the pool already dropped it; without a listener Node would crash.
      pool.on('error', () => {})
      pools.set(name, pool)
    }
    return pool
  }

  return {
    async query(target, statement) {
      return run(poolFor(target.database), statement)
    },

    async batch(target, statements, options) {
      const client = await poolFor(target.database).connect()
      // A checked-out client has no error listener; a dropped connection must not crash us.
      const ignore = (): void => {}
      client.on('error', ignore)
      let reusable = true
      try {
        await client.query(`BEGIN ${transactionModes(options)}`)
        const results: TextResult[] = []
        for (const statement of statements) results.push(await run(client, statement))
        await client.query('COMMIT')
        return results
      } catch (err) {
        // After a failed COMMIT the transaction is already over; ROLLBACK only warns.
        await client.query('ROLLBACK').catch(() => {
          reusable = false
        })
        throw err
      } finally {
        client.off('error', ignore)
        client.release(!reusable)
      }
    },

    async close() {
      closed = true
      const all = [...pools.values()]
      pools.clear()
      await Promise.all(all.map((pool) => pool.end()))
    },
  }
}
