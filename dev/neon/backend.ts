/**
 * The contract between the HTTP front (server.ts) and whatever runs the SQL.
 * Backends always hand back rows as arrays of Postgres text values; the server
 * decides how to present them (raw text or JSON, arrays or objects).
 */

export type IsolationLevel = 'ReadUncommitted' | 'ReadCommitted' | 'RepeatableRead' | 'Serializable'

/** One parameterised statement; parameters are Postgres text (or NULL). */
export interface Statement {
  query: string
  params: (string | null)[]
}

export interface ResultField {
  name: string
  dataTypeID: number
  tableID: number
  columnID: number
  dataTypeSize: number
  dataTypeModifier: number
}

export interface TextResult {
  /** First word of the command tag: SELECT, INSERT, CREATE … */
  command: string
  /** Row count from the command tag; null for tags without one (CREATE TABLE). */
  rowCount: number | null
  fields: ResultField[]
  rows: (string | null)[][]
}

export interface TransactionOptions {
  isolationLevel?: IsolationLevel
  readOnly?: boolean
  deferrable?: boolean
}

/** Which database a request is for; null means the backend's default. */
export interface Target {
  database: string | null
}

export interface SqlBackend {
  /** Runs one statement on its own (autocommit). */
  query(target: Target, statement: Statement): Promise<TextResult>
  /** Runs all statements in one transaction: all commit, or none do. */
  batch(target: Target, statements: Statement[], options: TransactionOptions): Promise<TextResult[]>
  close(): Promise<void>
}

/** Thrown for requests that arrive after close(); the server answers 503. */
export class BackendClosedError extends Error {
  constructor() {
    super('the SQL backend is closed')
    this.name = 'BackendClosedError'
  }
}

const ISOLATION_SQL: Record<IsolationLevel, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
}

/** The modes for BEGIN / SET TRANSACTION, e.g. "ISOLATION LEVEL SERIALIZABLE, READ ONLY"; '' when none. */
export function transactionModes(options: TransactionOptions): string {
  const modes: string[] = []
  if (options.isolationLevel) modes.push(`ISOLATION LEVEL ${ISOLATION_SQL[options.isolationLevel]}`)
  if (options.readOnly) modes.push('READ ONLY')
  if (options.deferrable) modes.push('DEFERRABLE')
  return modes.join(', ')
}

/** Normalises a driver value that should already be text. */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  return typeof value === 'string' ? value : String(value)
}
