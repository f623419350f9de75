import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type { Config } from '../env'
import * as schema from './schema'

/** What the Neon HTTP and node-postgres drivers' `execute()` results have in common. */
export interface QueryResult<Row> {
  rows: Row[]
  rowCount: number | null
}
export interface QueryResultHKT extends PgQueryResultHKT {
  type: QueryResult<this['row']>
}

/**
 * The db layer's client, whichever driver is behind it: drizzle's Postgres
 * base type, so queries are written once for Neon over HTTP (the edge) and
 * node-postgres (src/db/node-postgres.ts, the self-hosted server).
 */
export type Db = PgDatabase<QueryResultHKT, typeof schema>

/** One request's queries must all be answered within this, or Postgres counts as unavailable (503). */
export const QUERY_DEADLINE_MS = 10_000

/**
 * Whether DATABASE_URL is to be queried over Neon's HTTP protocol: a Neon
 * host, or any host when NEON_FETCH_ENDPOINT says where the HTTP queries go
 * (the local Neon-compatible server). Otherwise it is an ordinary Postgres.
 */
export function usesNeonHttp(config: Pick<Config, 'DATABASE_URL' | 'NEON_FETCH_ENDPOINT'>): boolean {
  if (config.NEON_FETCH_ENDPOINT) return true
  const host = new URL(config.DATABASE_URL).hostname.toLowerCase()
  return host === 'neon.tech' || host.endsWith('.neon.tech')
}

/**
 * A drizzle client over Neon's HTTP driver. It holds no connection, so making
 * one per request costs nothing. `NEON_FETCH_ENDPOINT` is the driver's own
 * knob for where HTTP queries go; the driver keeps it process-wide.
 */
export function createDb(config: Pick<Config, 'DATABASE_URL' | 'NEON_FETCH_ENDPOINT'>): Db {
  if (config.NEON_FETCH_ENDPOINT) neonConfig.fetchEndpoint = config.NEON_FETCH_ENDPOINT
  // One deadline for the request's queries: no answer by then is "Postgres unavailable" (503).
  const fetchOptions = { signal: AbortSignal.timeout(QUERY_DEADLINE_MS) }
  return drizzle({ client: neon(config.DATABASE_URL, { fetchOptions }), schema })
}
