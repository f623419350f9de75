/**
 * Reading a Neon `/sql` request: the JSON body and the Neon-* headers, as the
 * @neondatabase/serverless HTTP driver sends them.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { IsolationLevel, Statement, TransactionOptions } from './backend'

/** A statement as requested; `arrayMode` in the body overrides the header. */
export interface RequestedStatement extends Statement {
  arrayMode?: boolean
}

export type Payload = { kind: 'single'; statement: RequestedStatement } | { kind: 'batch'; statements: RequestedStatement[] }

/** Who a request says it is, from the connection string it carries. */
export interface Credentials {
  user: string
  password: string | null
}

export interface RequestOptions {
  credentials: Credentials
  database: string | null
  rawTextOutput: boolean
  arrayMode: boolean
  transaction: TransactionOptions
}

/** A request the server refuses outright (HTTP 4xx with `{ message }`). */
export class BadRequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
    this.name = 'BadRequestError'
  }
}

export const HEADERS = {
  connectionString: 'neon-connection-string',
  rawTextOutput: 'neon-raw-text-output',
  arrayMode: 'neon-array-mode',
  isolationLevel: 'neon-batch-isolation-level',
  readOnly: 'neon-batch-read-only',
  deferrable: 'neon-batch-deferrable',
} as const

const ISOLATION_LEVELS: readonly IsolationLevel[] = ['ReadUncommitted', 'ReadCommitted', 'RepeatableRead', 'Serializable']

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Like Neon: a flag is on only when its header is exactly "true". */
const flag = (headers: IncomingHttpHeaders, name: string): boolean => header(headers, name) === 'true'

export function parseRequestOptions(headers: IncomingHttpHeaders): RequestOptions {
  const connection = parseConnectionString(header(headers, HEADERS.connectionString))
  const isolation = header(headers, HEADERS.isolationLevel)
  if (isolation !== undefined && !ISOLATION_LEVELS.includes(isolation as IsolationLevel)) {
    throw new BadRequestError('invalid isolation level')
  }
  return {
    ...connection,
    rawTextOutput: flag(headers, HEADERS.rawTextOutput),
    arrayMode: flag(headers, HEADERS.arrayMode),
    transaction: {
      isolationLevel: isolation as IsolationLevel | undefined,
      readOnly: flag(headers, HEADERS.readOnly),
      deferrable: flag(headers, HEADERS.deferrable),
    },
  }
}

/**
 * The user, password and database of the connection string the driver sends
 * with every request. Refused with Neon's own 400 messages when it is missing
 * or unusable.
 */
function parseConnectionString(connectionString: string | undefined): { credentials: Credentials; database: string | null } {
  if (!connectionString) throw new BadRequestError(`invalid header: ${HEADERS.connectionString}`)
  let url: URL
  try {
    url = new URL(connectionString)
  } catch {
    throw new BadRequestError('invalid connection string: not a URL')
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''))
  return {
    credentials: { user: decodeURIComponent(url.username), password: url.password ? decodeURIComponent(url.password) : null },
    database: name === '' ? null : name,
  }
}

export function parsePayload(body: string): Payload {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    throw new BadRequestError('request body is not valid JSON')
  }
  if (!isObject(json)) throw new BadRequestError('request body must be a JSON object')
  if ('queries' in json) {
    if (!Array.isArray(json.queries)) throw new BadRequestError('"queries" must be an array')
    return { kind: 'batch', statements: json.queries.map((query, i) => parseStatement(query, `queries[${i}]`)) }
  }
  return { kind: 'single', statement: parseStatement(json, 'body') }
}

function parseStatement(value: unknown, where: string): RequestedStatement {
  if (!isObject(value) || typeof value.query !== 'string') {
    throw new BadRequestError(`${where}: missing "query" string`)
  }
  const params = value.params ?? []
  if (!Array.isArray(params)) throw new BadRequestError(`${where}: "params" must be an array`)
  if (value.arrayMode !== undefined && typeof value.arrayMode !== 'boolean') {
    throw new BadRequestError(`${where}: "arrayMode" must be a boolean`)
  }
  return {
    query: value.query,
    params: params.map(paramToText),
    ...(value.arrayMode === undefined ? {} : { arrayMode: value.arrayMode }),
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The driver already sends every parameter as text or null. Other JSON values
 * get Neon's treatment: numbers, booleans and objects as their JSON text,
 * arrays as Postgres array literals.
 */
export function paramToText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return arrayLiteral(value)
  return JSON.stringify(value)
}

function arrayLiteral(items: unknown[]): string {
  const elements = items.map((item) => {
    if (item === null || item === undefined) return 'NULL'
    if (Array.isArray(item)) return arrayLiteral(item)
    const text = typeof item === 'string' ? item : JSON.stringify(item)
    return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`
  })
  return `{${elements.join(',')}}`
}
