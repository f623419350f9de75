import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { QUERY_DEADLINE_MS, type Db } from './client'
import * as schema from './schema'

export interface PooledDb {
  db: Db
  /** Ends every connection; queries after it fail. */
  close(): Promise<void>
}

export interface PoolOptions {
  /** A statement running longer is cancelled and counts as Postgres unavailable (503). */
  deadlineMs?: number
  /** Connections per process. */
  max?: number
  /** Idle connections report their errors here (a restarted Postgres); they are then dropped. */
  onError?: (err: Error) => void
}

/**
 * A drizzle client over a node-postgres pool, for the self-hosted server on
 * an ordinary Postgres: one pool per process, shared by every request.
 *
 * The edge's deadline holds here too, per statement: Postgres cancels a
 * statement after `deadlineMs` (statement_timeout, SQLSTATE 57014), the
 * client gives up shortly after if no answer comes at all (a dead network),
 * and waiting for a connection — Postgres unreachable, or every connection
 * busy — is bounded by half of it. Each of these is a 503 (src/db/errors.ts).
 */
export function createPooledDb(url: string, options: PoolOptions = {}): PooledDb {
  const deadlineMs = options.deadlineMs ?? QUERY_DEADLINE_MS
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    statement_timeout: deadlineMs,
    query_timeout: deadlineMs + 1000,
    connectionTimeoutMillis: Math.ceil(deadlineMs / 2),
    idle_in_transaction_session_timeout: deadlineMs,
  })
  // Without a listener, an idle connection's error (Postgres restarted) would end the process.
  pool.on('error', (err) => options.onError?.(err))
  return {
    db: drizzle({ client: pool, schema }),
    close: () => pool.end(),
  }
}
