import { messages } from '@electric-sql/pglite'
import pg from 'pg'

/**
 * The fields @neondatabase/serverless copies from a 400 body onto its
 * NeonDbError (the `hi` list next to the NeonDbError class in its index.mjs),
 * which are also the fields of an ErrorResponse as pg and PGlite decode it.
 */
const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const

type ErrorField = (typeof ERROR_FIELDS)[number]

export type NeonErrorBody = { message: string } & Partial<Record<ErrorField, string>>

type PostgresError = pg.DatabaseError | messages.DatabaseError

/** An ErrorResponse from Postgres itself, as opposed to a failure to reach it. */
export function isPostgresError(err: unknown): err is PostgresError {
  return err instanceof pg.DatabaseError || err instanceof messages.DatabaseError
}

/** The JSON body Neon answers with (HTTP 400) when Postgres rejects a query. */
export function neonErrorBody(err: PostgresError): NeonErrorBody {
  const body: NeonErrorBody = { message: err.message }
  for (const field of ERROR_FIELDS) {
    const value = err[field]
    if (value !== undefined) body[field] = value
  }
  return body
}
