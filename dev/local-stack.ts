import { randomBytes } from 'node:crypto'
import { migratePglite, migratePostgres } from './migrate'
import { openPglite, pgliteBackend, postgresBackend, type SqlBackend, startNeonServer, type NeonServer } from './neon/server'
import type { RequestSpan } from './request-span'
import { startTurnstileServer, type TurnstileServer } from './turnstile/server'
import { startUpstashServer, type UpstashServer } from './upstash/server'

export type LocalDatabase = { kind: 'pglite'; dir?: string } | { kind: 'postgres'; url: string }

export interface LocalStackOptions {
  redisUrl: string
  database: LocalDatabase
  upstashToken?: string
  /** Apply drizzle/ migrations before serving (default true). */
  migrate?: boolean
  /**
   * Milliseconds both servers add before answering each request, to simulate
   * stores in a region far from the app with its clients unchanged (default 0).
   */
  rttMs?: number
  /** Told every request either server answers, with its arrival and answer times. */
  onRequest?: (span: RequestSpan & { store: 'upstash' | 'neon' }) => void
}

/** The variables that point the Worker's production clients at the local services. */
export interface StoreVars {
  UPSTASH_REDIS_REST_URL: string
  UPSTASH_REDIS_REST_TOKEN: string
  DATABASE_URL: string
  NEON_FETCH_ENDPOINT: string
}

export interface LocalStack {
  vars: StoreVars
  upstash: UpstashServer
  neon: NeonServer
  /**
   * A local Turnstile siteverify endpoint: give the Worker its `secret` as
   * TURNSTILE_SECRET_KEY and its `url` as TURNSTILE_VERIFY_URL to turn the
   * challenge on (off by default), and `mint()` tokens as the widget would.
   */
  turnstile: TurnstileServer
  close(): Promise<void>
}

const secret = (): string => randomBytes(24).toString('base64url')

/**
 * Starts the Upstash-compatible server over Redis, the Neon-compatible server
 * over PGlite or Postgres and a Turnstile siteverify, on free loopback ports, each requiring
 * a random secret that only the returned variables carry.
 */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const token = opts.upstashToken ?? secret()
  const password = secret()
  const delayMs = opts.rttMs ?? 0
  const migrate = opts.migrate ?? true
  let backend: SqlBackend
  let database: string
  let closeDatabase = async () => {}
  if (opts.database.kind === 'pglite') {
    const db = await openPglite(opts.database.dir)
    closeDatabase = () => db.close()
    if (migrate) await migratePglite(db)
    backend = pgliteBackend(db)
    database = 'pglite'
  } else {
    if (migrate) await migratePostgres(opts.database.url)
    backend = postgresBackend(opts.database.url)
    database = new URL(opts.database.url).pathname.slice(1) || 'postgres'
  }
  const hook = opts.onRequest
  const neon = await startNeonServer({ backend, password, delayMs, onRequest: hook && ((span) => hook({ ...span, store: 'neon' })) })
  const upstash = await startUpstashServer({
    redisUrl: opts.redisUrl,
    token,
    delayMs,
    onRequest: hook && ((span) => hook({ ...span, store: 'upstash' })),
  })
  const turnstile = await startTurnstileServer()
  return {
    vars: {
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: token,
      DATABASE_URL: `postgresql://flashdeal:${password}@127.0.0.1:${neon.port}/${database}`,
      NEON_FETCH_ENDPOINT: neon.url,
    },
    upstash,
    neon,
    turnstile,
    close: async () => {
      await Promise.all([upstash.close(), neon.close(), turnstile.close()])
      await closeDatabase() // the Neon server serves the PGlite; its opener closes it
    },
  }
}
