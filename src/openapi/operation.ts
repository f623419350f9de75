import type { DescribeRouteOptions, ResponsesWithResolver } from 'hono-openapi'
import { type ErrorCase, errorResponses, rateLimitHeaders } from './responses'
import type { Tag } from './document'

/** Who may call an operation (see the security schemes in document.ts). */
export type Access = 'public' | 'admin' | 'shopper'

export interface OperationSpec {
  operationId: string
  tag: Tag
  summary: string
  description?: string
  access: Access
  /**
   * the limits the request goes through, adding 429: per client address
   * (default), the write windows per address and per customer (shopper
   * writes), or none
   */
  rateLimit?: 'ip' | 'write' | 'none'
  /** the 2xx answers, made with success() */
  responses: ResponsesWithResolver
  /** what this operation itself can refuse with, by status; auth, 429, 500 and 503 are added */
  errors: Partial<Record<number, readonly ErrorCase[]>>
}

/** The JSON body errors every JSON-body route can answer (middleware/json-body.ts, then the validator). */
export const JSON_BODY_ERRORS = {
  400: ['VALIDATION_ERROR', 'MALFORMED_JSON'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
} as const satisfies Partial<Record<number, readonly ErrorCase[]>>

const SECURITY: Record<Access, DescribeRouteOptions['security']> = {
  public: [],
  admin: [{ adminToken: [] }],
  // `{}` first: no token is needed unless the server sets JWT_SECRET or JWT_JWKS_URL
  shopper: [{}, { shopperJwt: [] }],
}

const AUTH_ERRORS: Record<Access, Partial<Record<number, ErrorCase[]>>> = {
  public: {},
  admin: {
    401: ['UNAUTHORIZED'],
    403: [
      'FORBIDDEN',
      { code: 'FORBIDDEN', error: 'Admin routes are disabled: ADMIN_TOKEN is not set' },
    ],
  },
  shopper: {
    401: [{ code: 'UNAUTHORIZED', error: 'Send a bearer token for this user' }, { code: 'UNAUTHORIZED', error: 'Token expired' }],
    403: [{ code: 'FORBIDDEN', error: 'The token is for another user' }],
  },
}

/** Everything can meet a store that does not answer, or a bug (unless the operation says how it answers those). */
const ALWAYS: Partial<Record<number, ErrorCase[]>> = {
  500: ['INTERNAL_ERROR', 'CONFIGURATION_ERROR'],
  503: ['SERVICE_UNAVAILABLE', { code: 'SERVICE_UNAVAILABLE', error: 'postgres is unavailable, try again shortly' }],
}

function mergeErrors(...lists: Partial<Record<number, readonly ErrorCase[]>>[]) {
  const merged: Partial<Record<number, ErrorCase[]>> = {}
  for (const list of lists) {
    for (const [status, cases] of Object.entries(list)) {
      const key = Number(status)
      merged[key] = [...(merged[key] ?? []), ...(cases ?? [])]
    }
  }
  return merged
}

/** The describeRoute() options of one operation: its own answers plus those every route shares. */
export function operation(spec: OperationSpec): DescribeRouteOptions {
  const scope = spec.rateLimit ?? 'ip'
  const rateLimited = scope !== 'none'
  const errors = mergeErrors(
    spec.errors,
    AUTH_ERRORS[spec.access],
    rateLimited
      ? {
          429: (scope === 'write' ? (['ip', 'user'] as const) : (['ip'] as const)).map((s) => ({
            code: 'RATE_LIMITED' as const,
            details: [{ scope: s, retry_after: 42 }],
          })),
        }
      : {},
  )
  for (const [status, cases] of Object.entries(ALWAYS)) errors[Number(status)] ??= cases
  const responses: ResponsesWithResolver = {}
  for (const [status, response] of Object.entries(spec.responses)) {
    // A request that went through the rate limiter says how much is left.
    responses[status] =
      rateLimited && !('$ref' in response) ? { ...response, headers: { ...response.headers, ...rateLimitHeaders() } } : response
  }
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    security: SECURITY[spec.access],
    responses: { ...responses, ...errorResponses(errors) },
  }
}
