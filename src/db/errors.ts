import { AppError } from '../errors/app-error'
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

const RETRY_AFTER = { 'Retry-After': '2' }

/**
 * What a Postgres error reply that no service handled tells the caller, by
 * SQLSTATE class; undefined for the classes that mean a bug here (42 syntax or
 * a missing table …), which stay 500. The driver's message is never used: it
 * can quote the SQL and its parameters.
 */
export function pgErrorAnswer(fields: PgErrorFields): AppError | undefined {
  switch (fields.code?.slice(0, 2)) {
    case '22': // data exception: a value the column cannot hold got past validation
    case '54': // program limit exceeded: a value too large to index or store
      return new AppError(400, 'VALIDATION_ERROR', 'A value in the request cannot be stored')
    case '23': // integrity: with every constraint validated first, only a concurrent change gets here
    case '40': // serialization failure, deadlock
    case '55': // lock not available
      return new AppError(503, 'SERVICE_UNAVAILABLE', 'postgres refused the change because of a concurrent one, try again shortly', undefined, RETRY_AFTER)
    case '08': // connection
    case '53': // insufficient resources
    case '57': // operator intervention, statement timeout
    case '58': // system error
    case 'XX': // internal error
      return new AppError(503, 'SERVICE_UNAVAILABLE', 'postgres is unavailable, try again shortly', undefined, RETRY_AFTER)
    default:
      return undefined
  }
}
