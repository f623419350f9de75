import type { DescribeRouteOptions, ResponsesWithResolver } from 'hono-openapi'
import { statusesOf, statusOf } from '../errors/status'
import type { ErrorCase, RouteSpec } from '../http/route'
import { type ErrorExampleCase, errorResponses, rateLimitHeaders, success } from './responses'

/** Who may call an operation (see the security schemes in document.ts). */
type Access = 'public' | 'admin' | 'shopper'

type ErrorsByStatus = Partial<Record<number, readonly ErrorExampleCase[]>>

/** The JSON body errors every JSON-body route can answer (middleware/json-body.ts, then the validator). */
const JSON_BODY_ERRORS = {
  400: ['VALIDATION_ERROR', 'MALFORMED_JSON'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
} as const satisfies ErrorsByStatus

const SECURITY: Record<Access, DescribeRouteOptions['security']> = {
  public: [],
  admin: [{ adminToken: [] }],
  // `{}` first: no token is needed unless the server sets JWT_SECRET or JWT_JWKS_URL
  shopper: [{}, { shopperJwt: [] }],
}

const AUTH_ERRORS: Record<Access, ErrorsByStatus> = {
  public: {},
  admin: {
    401: ['UNAUTHORIZED'],
    403: ['FORBIDDEN', { code: 'FORBIDDEN', error: 'Admin routes are disabled: ADMIN_TOKEN is not set' }],
  },
  shopper: {
    401: [
      { code: 'UNAUTHORIZED', error: 'Send a bearer token for this user' },
      { code: 'UNAUTHORIZED', error: 'Token expired' },
    ],
    403: [{ code: 'FORBIDDEN', error: 'The token is for another user' }],
  },
}

/** Everything can meet a store that does not answer, or a bug (unless the operation says how it answers those). */
const ALWAYS: ErrorsByStatus = {
  500: ['INTERNAL_ERROR', 'CONFIGURATION_ERROR'],
  503: ['SERVICE_UNAVAILABLE', { code: 'SERVICE_UNAVAILABLE', error: 'postgres is unavailable, try again shortly' }],
}

function mergeErrors(...lists: ErrorsByStatus[]) {
  const merged: Partial<Record<number, ErrorExampleCase[]>> = {}
  for (const list of lists) {
    for (const [status, cases] of Object.entries(list)) {
      const key = Number(status)
      merged[key] = [...(merged[key] ?? []), ...(cases ?? [])]
    }
  }
  return merged
}

/** An operation's own errors by status: the status comes from the code (and its case), never from the route. */
function byStatus(errors: readonly ErrorCase[]): ErrorsByStatus {
  const grouped: Partial<Record<number, ErrorExampleCase[]>> = {}
  for (const e of errors) {
    const [code, which] = typeof e === 'string' ? [e, undefined] : [e.code, e.case]
    const statuses = which === undefined ? statusesOf(code) : [statusOf(code, which)]
    const { case: _, ...example } = typeof e === 'string' ? { case: undefined } : e
    for (const status of statuses) {
      grouped[status] ??= []
      grouped[status].push(typeof e === 'string' ? e : (example as ErrorExampleCase))
    }
  }
  return grouped
}

/**
 * The describeRoute() options of one declared operation: its own answers, the
 * ones its declaration implies (validation, auth, challenge, limits), and
 * those every route shares.
 */
export function operation(spec: RouteSpec): DescribeRouteOptions {
  const access: Access = typeof spec.access === 'object' ? 'shopper' : spec.access
  const rateLimited = spec.limit !== 'none'
  const errors = mergeErrors(
    spec.body ? JSON_BODY_ERRORS : spec.params || spec.query || spec.headers ? { 400: ['VALIDATION_ERROR'] } : {},
    byStatus(spec.errors ?? []),
    AUTH_ERRORS[access],
    spec.challenge ? { 403: ['CHALLENGE_REQUIRED', 'CHALLENGE_FAILED'] } : {},
    rateLimited
      ? {
          429: (spec.limit === 'write' ? (['ip', 'user'] as const) : (['ip'] as const)).map((s) => ({
            code: 'RATE_LIMITED' as const,
            details: [{ scope: s, retry_after: 42 }],
          })),
        }
      : {},
  )
  for (const [status, cases] of Object.entries(ALWAYS)) errors[Number(status)] ??= [...(cases ?? [])]
  const { status, description, schema, ...options } = spec.success
  const answer = success(description, schema, options)
  // A request that went through a rate limit says how much is left.
  const responses: ResponsesWithResolver = {
    [status]: rateLimited && !('$ref' in answer) ? { ...answer, headers: { ...answer.headers, ...rateLimitHeaders() } } : answer,
  }
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    security: SECURITY[access],
    responses: { ...responses, ...errorResponses(errors) },
  }
}
