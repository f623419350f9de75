import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import type { Config } from '../env'
import * as schema from './schema'

export type Db = ReturnType<typeof createDb>

/**
 * A drizzle client over Neon's HTTP driver. It holds no connection, so making
 * one per request costs nothing. `NEON_FETCH_ENDPOINT` is the driver's own
 * knob for where HTTP queries go; the driver keeps it process-wide.
 */
export function createDb(config: Pick<Config, 'DATABASE_URL' | 'NEON_FETCH_ENDPOINT'>) {
  if (config.NEON_FETCH_ENDPOINT) neonConfig.fetchEndpoint = config.NEON_FETCH_ENDPOINT
  // One deadline for the request's queries: no answer by then is "Postgres unavailable" (503).
  const fetchOptions = { signal: AbortSignal.timeout(QUERY_DEADLINE_MS) }
  return drizzle({ client: neon(config.DATABASE_URL, { fetchOptions }), schema })
}

const QUERY_DEADLINE_MS = 10_000
