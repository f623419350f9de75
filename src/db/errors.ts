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
 * Runs one database call (named `operation` in the logs); when Postgres gave no answer (network, timeout,
 * server error without a SQLSTATE) it becomes StoreUnavailableError → 503.
 */
export async function withPostgres<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    if (pgError(err)) throw err
    throw new StoreUnavailableError('postgres', err, operation)
  }
}
