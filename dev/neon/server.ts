/**
 * A local stand-in for Neon's SQL-over-HTTP endpoint, so the real
 * @neondatabase/serverless `neon()` driver (and drizzle-orm/neon-http) can run
 * against embedded PGlite or a local Postgres. Point the driver at it with
 * `neonConfig.fetchEndpoint = server.url`.
 *
 * It runs SQL as whoever the backend connects as (the Postgres superuser, in
 * development), so it answers only requests whose connection string carries
 * its password, and sends no CORS headers: a web page in the developer's
 * browser can neither read its answers nor pass a preflight.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BackendClosedError, type SqlBackend, type TextResult } from './backend'
import { secretCheck } from '../secret'
import { traceSpan, type SpanHook } from '../request-span'
import { describeFailure } from '../failure'
import { isPostgresError, neonErrorBody } from './errors'
import { BadRequestError, HEADERS, parsePayload, parseRequestOptions, type Credentials, type RequestOptions } from './protocol'
import { textToJson, type JsonValue } from './values'

export type { IsolationLevel, SqlBackend, Statement, Target, TextResult, TransactionOptions } from './backend'
export { openPglite, pgliteBackend } from './pglite'
export { postgresBackend } from './postgres'

export interface NeonServerOptions {
  backend: SqlBackend
  /** The password every request's connection string must carry (the user name is not checked). */
  password: string
  /** Milliseconds added before answering each request: a store region far away (LOCAL_STORE_RTT_MS). */
  delayMs?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: any free port. */
  port?: number
  /** Told each request's arrival and answer times (benchmarks count round trips with it). */
  onRequest?: SpanHook
}

export interface NeonServer {
  /** http://HOST:PORT/sql, the value for `neonConfig.fetchEndpoint`. */
  url: string
  port: number
  /** Requests served since start (or resetStats): single queries and batches. */
  stats(): { queries: number; batches: number }
  resetStats(): void
  /** Stops the HTTP server (dropping open connections) and closes the backend. */
  close(): Promise<void>
}

const MAX_BODY_BYTES = 10 * 1024 * 1024

interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

const reply = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, headers })

/** One result in the shape the driver parses (`fields`, `rows`, `command`, `rowCount`, `rowAsArray`). */
function neonResult(result: TextResult, rawText: boolean, arrayMode: boolean) {
  const value = (text: string | null, column: number): JsonValue =>
    text === null || rawText ? text : textToJson(text, result.fields[column]?.dataTypeID ?? 0)
  const rows = result.rows.map((row) =>
    arrayMode
      ? row.map(value)
      : Object.fromEntries(row.map((text, column) => [result.fields[column]?.name ?? `?column${column}?`, value(text, column)])),
  )
  return {
    fields: result.fields.map((field) => ({ ...field, format: 'text' })),
    rows,
    command: result.command,
    rowCount: result.rowCount,
    rowAsArray: arrayMode,
  }
}

/** Neon echoes the transaction settings of a batch back as response headers. */
function batchHeaders({ transaction }: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  if (transaction.isolationLevel) headers[HEADERS.isolationLevel] = transaction.isolationLevel
  if (transaction.readOnly) headers[HEADERS.readOnly] = 'true'
  if (transaction.deferrable) headers[HEADERS.deferrable] = 'true'
  return headers
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > MAX_BODY_BYTES) throw new BadRequestError(`request body is larger than ${MAX_BODY_BYTES} bytes`, 413)
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function send(res: ServerResponse, { status, body, headers }: Reply): void {
  if (res.headersSent || res.destroyed) return
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(text)
}

export async function startNeonServer(opts: NeonServerOptions): Promise<NeonServer> {
  const { backend, host = '127.0.0.1', port = 0, delayMs = 0 } = opts
  if (opts.password === '') throw new Error('startNeonServer: password must not be empty')
  const passwordMatches = secretCheck(opts.password)
  let counts = { queries: 0, batches: 0 }

  /** Neon's own answers (HTTP 400) to a connection string without the right password. */
  function authenticate({ user, password }: Credentials): void {
    if (password === null) throw new BadRequestError('missing authentication credentials: required password')
    if (!passwordMatches(password)) throw new BadRequestError(`password authentication failed for user '${user}'`)
  }

  async function execute(req: IncomingMessage): Promise<Reply> {
    const options = parseRequestOptions(req.headers)
    authenticate(options.credentials)
    const payload = parsePayload(await readBody(req))
    const target = { database: options.database }
    const present = (result: TextResult, arrayMode = options.arrayMode) => neonResult(result, options.rawTextOutput, arrayMode)

    if (payload.kind === 'single') {
      counts.queries++
      const result = await backend.query(target, payload.statement)
      return reply(200, present(result, payload.statement.arrayMode))
    }
    counts.batches++
    const results = await backend.batch(target, payload.statements, options.transaction)
    return reply(200, { results: results.map((result, i) => present(result, payload.statements[i]?.arrayMode)) }, batchHeaders(options))
  }

  async function answer(req: IncomingMessage): Promise<Reply> {
    if (delayMs > 0) await delay(delayMs)
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/sql') return reply(404, { message: `no such endpoint: ${path}` })
    if (req.method !== 'POST') return reply(405, { message: 'only POST is supported' }, { allow: 'POST' })
    try {
      return await execute(req)
    } catch (err) {
      if (err instanceof BadRequestError) return reply(err.status, { message: err.message })
      if (isPostgresError(err)) return reply(400, neonErrorBody(err))
      // Not an answer from Postgres (unreachable, closed …): the driver then
      // throws "Server error (HTTP status 5xx)" and the app treats the store as down.
      const status = err instanceof BackendClosedError ? 503 : 500
      return reply(status, { message: describeFailure(err) })
    }
  }

  const server = createServer((req, res) => {
    traceSpan(req, res, opts.onRequest)
    answer(req).then(
      (result) => send(res, result),
      (err: unknown) => send(res, reply(500, { message: describeFailure(err) })),
    )
  })
  server.on('clientError', (_err, socket) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const actualPort = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host

  let closing: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${actualPort}/sql`,
    port: actualPort,
    stats: () => ({ ...counts }),
    resetStats() {
      counts = { queries: 0, batches: 0 }
    },
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeAllConnections()
        await stopped
        await backend.close()
      })()
      return closing
    },
  }
}
