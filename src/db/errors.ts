import { AppError } from '../errors/app-error'
import { StoreUnavailableError } from '../errors/store-unavailable'

/** The Postgres error fields both drivers put on their errors. */
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

// A SQLSTATE (its class: two digits, or F0, HV, P0, XX), as opposed to the
// socket error codes (ECONNREFUSED, EPIPE …) that node-postgres passes on.
const SQLSTATE = /^([0-9]{2}|F0|HV|P0|XX)[0-9A-Z]{3}$/
// Classes that mean the statement got no real answer: connection exception (08),
// authorization (28), no such database (3D), a transaction to retry (40), out
// of resources (53), cancelled by statement_timeout or a shutting-down server
// (57), system error (58).
const NO_ANSWER = /^(08|28|3D|40|53|57|58)/

/** A Postgres error reply (constraint, syntax …), as opposed to no reply at all. */
export function pgError(err: unknown): PgErrorFields | undefined {
  const found = driverError(err)
  return found?.code && SQLSTATE.test(found.code) && !NO_ANSWER.test(found.code) ? found : undefined
}

/**
 * Runs one database call (named `operation` in the logs); when Postgres gave
 * no answer (network, timeout, a class of NO_ANSWER) it becomes
 * StoreUnavailableError → 503.
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
 * What a Postgres error reply (pgError: the NO_ANSWER classes are already
 * 503 by withPostgres) that no service handled tells the caller, by SQLSTATE
 * class; undefined for the classes that mean a bug here (42 syntax or a
 * missing table …), which stay 500. Never the driver's message: it can quote
 * the SQL and its parameters.
 */
export function pgErrorAnswer(fields: PgErrorFields): AppError | undefined {
  switch (fields.code?.slice(0, 2)) {
    case '22': // data exception: a value the column cannot hold got past validation
    case '54': // program limit exceeded: a value too large to index or store
      return new AppError(400, 'VALIDATION_ERROR', 'A value in the request cannot be stored')
    case '23': // integrity: with every constraint validated first, only a concurrent change gets here
    case '55': // lock not available
      return new AppError(503, 'SERVICE_UNAVAILABLE', 'postgres refused the change because of a concurrent one, try again shortly', undefined, RETRY_AFTER)
    case 'XX': // internal error
      return new AppError(503, 'SERVICE_UNAVAILABLE', 'postgres is unavailable, try again shortly', undefined, RETRY_AFTER)
    default:
      return undefined
  }
}
