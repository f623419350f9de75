import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { pgError, pgErrorAnswer } from '../db/errors'
import { ConfigError } from '../env'
import type { AppEnv } from '../types'
import { AppError } from './app-error'
import { rateLimitHeaders } from './rate-limited'
import { StoreUnavailableError } from './store-unavailable'
import type { ErrorCode } from './codes'
import { failure } from './envelope'

const RETRY_AFTER_SECONDS = '2'

/** Codes for the HTTPExceptions hono's own middleware throws. */
function codeForHttpException(err: HTTPException): ErrorCode {
  if (err.status === 400 && /json/i.test(err.message)) return 'MALFORMED_JSON'
  switch (err.status) {
    case 400:
      return 'VALIDATION_ERROR'
    case 401:
      return 'UNAUTHORIZED'
    case 403:
      return 'FORBIDDEN'
    case 404:
      return 'NOT_FOUND'
    case 413:
      return 'PAYLOAD_TOO_LARGE'
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE'
    default:
      return err.status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR'
  }
}

/** The one place an error becomes a response. Never leaks a stack or a driver message. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof AppError) {
    if (err.code === 'RATE_LIMITED') c.set('rateLimit', `blocked:${(err.details?.[0] as { scope?: string } | undefined)?.scope}`)
    else if (err.rate) c.set('rateLimit', 'allowed')
    const headers = { ...(err.rate ? rateLimitHeaders(err.rate) : {}), ...err.headers }
    return c.json(failure(err.code, err.message, err.details), err.status, headers)
  }
  if (err instanceof StoreUnavailableError) {
    logStoreError(c, err)
    return c.json(failure('SERVICE_UNAVAILABLE', `${err.store} is unavailable, try again shortly`), 503, {
      'Retry-After': RETRY_AFTER_SECONDS,
    })
  }
  if (err instanceof HTTPException && err.status < 500) {
    const message = err.status === 413 ? 'Request body is too large' : err.message || 'Bad request'
    return c.json(failure(codeForHttpException(err), message), err.status as ContentfulStatusCode)
  }
  const pg = pgError(err)
  const answer = pg && pgErrorAnswer(pg)
  if (answer) {
    logError(c, err, 'warn')
    return c.json(failure(answer.code, answer.message), answer.status, answer.headers)
  }
  if (err instanceof ConfigError) {
    console.error(err.message)
    return c.json(failure('CONFIGURATION_ERROR', err.message), 500)
  }
  logError(c, err, 'error')
  return c.json(failure('INTERNAL_ERROR', 'Internal server error'), 500)
}

/** A store failure: which store, what was being done, how it failed. Never the command or its answer. */
function logStoreError(c: Context<AppEnv>, err: StoreUnavailableError) {
  log(c, 'warn', { error: err.name, store: err.store, operation: err.operation, kind: err.kind })
}

/**
 * A bug: its name, a SQLSTATE if Postgres answered one, and where it happened
 * (the stack's frames). Never a message: drivers put the query and its
 * parameters (user ids, keys) in theirs.
 */
function logError(c: Context<AppEnv>, err: Error, level: 'warn' | 'error') {
  const frames = err.stack?.split('\n').filter((line) => /^\s+at /.test(line)).slice(0, 5).join('\n')
  log(c, level, { error: err.name, sqlstate: pgError(err)?.code, stack: frames })
}

function log(c: Context<AppEnv>, level: 'warn' | 'error', details: Record<string, unknown>) {
  const fields = { request_id: c.get('requestId'), method: c.req.method, path: c.req.path, ...details }
  const deps = c.get('deps')
  if (deps) deps.log(level, 'request_error', fields)
  else console.error(JSON.stringify({ level, event: 'request_error', ...fields }))
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  c.json(failure('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`), 404)

/** 405 with `Allow` when the path is served with other methods (`allowed` says which), else 404. */
export const notFoundOrNotAllowed =
  (allowed: (path: string) => string[]): NotFoundHandler<AppEnv> =>
  (c) => {
    const methods = allowed(c.req.path)
    if (methods.length === 0) return notFound(c)
    return c.json(failure('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}; it serves ${methods.join(', ')}`), 405, {
      Allow: methods.join(', '),
    })
  }
