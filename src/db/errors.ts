import { StoreUnavailableError } from '../errors/store-unavailable'

/** The Postgres error fields the Neon driver copies onto its errors. */
export interface PgErrorFields {
  code?: string
  constraint?: string
  detail?: string
}

/** Walks drizzle's wrapper down to the driver's error. */
function driverError(err: unknown): (Error & PgErrorFields) | undefined {
  let current: unknown = err
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ((current as PgErrorFields).code !== undefined || current.name === 'NeonDbError') {
      return current as Error & PgErrorFields
    }
    current = current.cause
  }
  return undefined
}

/** A Postgres error reply (constraint, syntax …), as opposed to no reply at all. */
export function pgError(err: unknown): PgErrorFields | undefined {
  const found = driverError(err)
  return found?.code ? found : undefined
}

/**
 * SQLSTATE classes that say the server cannot serve now, not that the
 * statement is wrong: connection (08), a transaction to retry (40), resources
 * (53), operator intervention such as a cancelled statement (57), system (58).
 */
const TRANSIENT = /^(08|40|53|57|58)/

/**
 * Runs one database call (named `operation` in the logs); when Postgres gave
 * no answer (network, timeout, server error without a SQLSTATE) or a
 * transient one, it becomes StoreUnavailableError → 503.
 */
export async function withPostgres<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    const code = pgError(err)?.code
    if (code && !TRANSIENT.test(code)) throw err
    throw new StoreUnavailableError('postgres', err, operation)
  }
}
