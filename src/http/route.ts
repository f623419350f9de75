import type { Context, MiddlewareHandler, TypedResponse, ValidationTargets } from 'hono'
import { every } from 'hono/combine'
import type { InferInput } from 'hono/validator'
import type * as z from 'zod'
import type { ErrorCode } from '../errors/codes'
import { ok, type SuccessBody } from '../errors/envelope'
import { adminOnly, bodyUserId, paramUserId, shopper } from '../middleware/auth'
import { turnstile } from '../middleware/challenge'
import { jsonBody } from '../middleware/json-body'
import { publicCache } from '../middleware/public-cache'
import { limitPerIp } from '../middleware/rate-limit'
import { validate } from '../middleware/validate'
import type { AppEnv } from './app-env'

/** The groups the API reference shows operations under. */
export type Tag = 'Products' | 'Waiting room' | 'Reservations' | 'Checkout' | 'Users' | 'Health'

/**
 * An error an operation can answer, beyond those its declaration implies
 * (validation, auth, limits, stores): a code, a code in one of its cases
 * (src/errors/status.ts), or one with an example answer of its own.
 */
export type ErrorCase = ErrorCode | { code: ErrorCode; case?: string; error?: string; details?: unknown[] }

/** A header a success answer carries (src/openapi/responses.ts describes each). */
export type AnswerHeader = 'Idempotent-Replayed' | 'Retry-After'

/**
 * Everything about one operation, declared once: its documentation, what it
 * validates, who may call it, its limits and the errors it answers. route()
 * makes the middleware from it; the OpenAPI document is made from the same
 * declarations (scripts/openapi.ts).
 */
export interface RouteSpec {
  operationId: string
  tag: Tag
  summary: string
  description?: string
  /**
   * public; admin (ADMIN_TOKEN); or a shopper route acting for the user id of
   * the JSON body (`user_id`) or of the path (`:userId`)
   */
  access: 'public' | 'admin' | { shopper: 'body' | 'path' }
  /**
   * read: @upstash/ratelimit per client address before anything else; write:
   * the write windows inside the engine script (nothing here); none
   */
  limit: 'read' | 'write' | 'none'
  /** public: the answer is the same for everyone and may be cached PUBLIC_READ_CACHE_SECONDS (src/middleware/public-cache.ts) */
  cache?: 'public'
  /** a Turnstile token is needed when TURNSTILE_SECRET_KEY is set */
  challenge?: boolean
  params?: z.ZodType
  query?: z.ZodType
  headers?: z.ZodType
  body?: z.ZodType
  success: {
    status: 200 | 201
    description: string
    schema: z.ZodType
    message?: string
    headers?: AnswerHeader[]
    /** OpenAPI links from this answer to other operations (e.g. the next page) */
    links?: Record<string, { operationId: string; description: string; parameters: Record<string, string> }>
  }
  errors?: ErrorCase[]
}

/** What one answer says beyond its declaration: a message of its own (the declared one is an example), headers. */
export interface AnswerExtra {
  message?: string
  headers?: Record<string, string>
}

/** The key under which route() keeps its declaration on the middleware it returns. */
export const ROUTE_SPEC = Symbol.for('flash-deal.route-spec')

type Targets = { params: 'param'; query: 'query'; headers: 'header'; body: 'json' }
type InputOf<S extends RouteSpec, K extends keyof Targets> = S[K] extends z.ZodType
  ? [z.input<S[K]>] extends [ValidationTargets[Targets[K]]]
    ? z.input<S[K]>
    : InferInput<z.input<S[K]>, Targets[K]>
  : never
/** Whether a part of the request has nothing a caller must send (optional headers): hc then lets a call leave it out. */
type Optional<S extends RouteSpec, K extends keyof Targets> = S[K] extends z.ZodType ? ({} extends z.input<S[K]> ? true : false) : false
type In<S extends RouteSpec> = {
  [K in keyof Targets as S[K] extends z.ZodType ? (Optional<S, K> extends true ? never : Targets[K]) : never]: InputOf<S, K>
} & {
  [K in keyof Targets as Optional<S, K> extends true ? Targets[K] : never]?: InputOf<S, K>
}
type Out<S extends RouteSpec> = {
  [K in keyof Targets as S[K] extends z.ZodType ? Targets[K] : never]: S[K] extends z.ZodType ? z.output<S[K]> : never
}

/**
 * The middleware of a declared operation, typed with what it validates (for
 * handlers and for hc), and `ok()`, its success answer: the envelope with the
 * declared status and message.
 */
export type RouteMiddleware<S extends RouteSpec> = MiddlewareHandler<AppEnv, string, { in: In<S>; out: Out<S> }> & {
  [ROUTE_SPEC]: S
  ok<T>(c: Context, data: T, extra?: AnswerExtra): Response & TypedResponse<SuccessBody<T>, S['success']['status'], 'json'>
}

/**
 * The middleware of one operation, always in this order: the public cache, the read limit, the
 * body's size and type, validation of path, query, headers and body (400),
 * auth (401/403), the challenge, then the handler. Shopper writes are limited
 * inside their engine script, so a refused one costs one Redis command.
 */
export function route<const S extends RouteSpec>(spec: S): RouteMiddleware<S> {
  const chain: MiddlewareHandler<any, any, any>[] = []
  if (spec.cache === 'public') chain.push(publicCache)
  if (spec.limit === 'read') chain.push(limitPerIp)
  if (spec.body) chain.push(jsonBody)
  if (spec.params) chain.push(validate('param', spec.params))
  if (spec.query) chain.push(validate('query', spec.query))
  if (spec.headers) chain.push(validate('header', spec.headers))
  if (spec.body) chain.push(validate('json', spec.body))
  if (spec.access === 'admin') chain.push(adminOnly)
  else if (spec.access !== 'public') chain.push(shopper(spec.access.shopper === 'body' ? bodyUserId : paramUserId))
  if (spec.challenge) chain.push(turnstile)
  // every() makes a function of this route's own (the declaration is kept on it), even for one middleware.
  return Object.assign(every(...chain), {
    [ROUTE_SPEC]: spec,
    ok: (c: Context, data: unknown, extra: AnswerExtra = {}) =>
      c.json(ok(data, extra.message ?? spec.success.message), spec.success.status, extra.headers),
  }) as unknown as RouteMiddleware<S>
}

/** The declaration behind a route's handler, if it is one route() made. */
export function specOf(handler: unknown): RouteSpec | undefined {
  return (handler as { [ROUTE_SPEC]?: RouteSpec } | undefined)?.[ROUTE_SPEC]
}
