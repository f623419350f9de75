import type { ResponsesWithResolver } from 'hono-openapi'
import type { OpenAPIV3_1 } from 'openapi-types'
import type { ZodType } from 'zod'
import type { ErrorCode } from '../errors/codes'
import { failure, ok } from '../errors/envelope'
import { successBody } from '../schemas/envelope'
import { responseSchema } from './schema'

type Response = ResponsesWithResolver[string]

/** What each error code means, and an answer that carries it (the example the document shows). */
interface ErrorExample {
  meaning: string
  error: string
  details?: unknown[]
}

/** One entry per code of src/errors/codes.ts: a new code does not compile until it is documented. */
export const ERROR_EXAMPLES: Record<ErrorCode, ErrorExample> = {
  VALIDATION_ERROR: {
    meaning: 'a parameter, header or body field is invalid; `details` has one `{field, message}` per problem',
    error: 'Invalid request',
    details: [
      { field: 'user_id', message: 'may contain only letters, digits and _ - . : @' },
      { field: 'quantity', message: 'Too small: expected number to be >=1' },
    ],
  },
  MALFORMED_JSON: { meaning: 'the body is not valid JSON', error: 'Malformed JSON in request body' },
  UNAUTHORIZED: {
    meaning: 'no bearer token, or one that is not valid (answered with `WWW-Authenticate: Bearer`)',
    error: 'Send the admin token as Authorization: Bearer <token>',
  },
  FORBIDDEN: { meaning: 'the token is valid but not for this', error: 'Wrong admin token' },
  CHALLENGE_REQUIRED: {
    meaning: 'the server requires a Cloudflare Turnstile token (TURNSTILE_SECRET_KEY is set) and none came in `CF-Turnstile-Response`',
    error: 'Send the Turnstile token in the CF-Turnstile-Response header',
  },
  CHALLENGE_FAILED: {
    meaning: 'Turnstile did not accept the token (invalid, expired or already used elsewhere)',
    error: 'The Turnstile challenge was not passed',
  },
  NOT_FOUND: { meaning: 'no route has this path', error: 'No route for GET /api/nothing' },
  METHOD_NOT_ALLOWED: {
    meaning: 'the path is served, but not with this method; `Allow` lists the methods it serves',
    error: 'PUT is not allowed on /api/reserve; it serves POST',
  },
  PRODUCT_NOT_FOUND: { meaning: 'no product has this id', error: 'Product 42 not found', details: [{ product_id: '42' }] },
  INSUFFICIENT_STOCK: {
    meaning: 'fewer units are available than asked; `details` says how many are (and which bulk `item` failed)',
    error: 'Only 1 unit(s) of product 1 available',
    details: [{ product_id: '1', available: 1 }],
  },
  LIMIT_EXCEEDED: {
    meaning: "held + being bought + bought units of this customer would pass the product's `max_per_user` (a limit for the whole sale)",
    error: 'At most 2 unit(s) of product 1 per customer',
    details: [{ product_id: '1', max_per_user: 2, held: 1, bought: 1 }],
  },
  ADDRESS_LIMIT_EXCEEDED: {
    meaning: "the client's network address (an IPv6 /64) already holds MAX_HELD_PER_ADDRESS units of this product, whatever the user ids",
    error: 'This network already holds 10 of the 10 unit(s) of product 1 one network may hold',
    details: [{ product_id: '1', max_held_per_address: 10, held_by_address: 10 }],
  },
  NO_RESERVATION: { meaning: 'the user holds no unexpired reservation of this product', error: 'User alice holds no reservation of product 1' },
  QUANTITY_EXCEEDS_RESERVATION: {
    meaning: 'checkout of more units than the hold has',
    error: 'Only 1 unit(s) are reserved',
    details: [{ reserved: 1 }],
  },
  SALE_NOT_ACTIVE: {
    meaning: "now is outside the product's sale window",
    error: 'The sale of product 1 is not active',
    details: [{ product_id: '1' }],
  },
  NO_WAITING_ROOM: {
    meaning: 'the product has no waiting room: reserve it directly',
    error: 'Product 1 has no waiting room',
    details: [{ product_id: '1' }],
  },
  SOLD_OUT: {
    meaning: 'nothing of the product is available to wait for (every unit is sold or held; held units that lapse open the line again)',
    error: 'Product 1 is sold out: nothing is left to wait for',
    details: [{ product_id: '1', available: 0 }],
  },
  TICKET_NOT_FOUND: {
    meaning: "the ticket is not one this API gave for this product's line (its signature does not hold, or it is for another product)",
    error: 'No such ticket in the line of product 1',
    details: [{ product_id: '1' }],
  },
  ADMISSION_REQUIRED: {
    meaning:
      'the product has a waiting room and the request came without an admission token: join the line (`POST /api/products/{productId}/queue`) and reserve with the token once admitted',
    error: 'Product 1 has a waiting room: join the line, and reserve with the admission token once it is your turn',
    details: [{ product_id: '1' }],
  },
  ADMISSION_INVALID: {
    meaning: 'an admission token was sent that is not valid: forged, expired (the turn is over), or given to another user or for another product',
    error: 'The admission token has expired: join the line again',
  },
  STOCK_BELOW_COMMITTED: {
    meaning: 'total_stock would drop below the units already sold or held; `details` has the minimum',
    error: 'total_stock cannot go below the 42 unit(s) sold or held',
    details: [{ field: 'total_stock', minimum: 42 }],
  },
  STOCK_EDIT_IN_FLIGHT: {
    meaning: 'another stock edit of this product is still running (edits of one product run one at a time); retry after `Retry-After` seconds',
    error: 'Another stock edit of this product is still running',
  },
  AMOUNT_MISMATCH: {
    meaning: "total_amount is not the product's price × quantity",
    error: 'total_amount must be 179.80',
    details: [{ field: 'total_amount', expected: '179.80' }],
  },
  IDEMPOTENCY_KEY_REUSED: {
    meaning: 'this Idempotency-Key was used with a different request',
    error: 'This Idempotency-Key was used with a different request',
  },
  IDEMPOTENCY_KEY_IN_FLIGHT: {
    meaning: 'a request with this Idempotency-Key is still running; retry after `Retry-After` seconds',
    error: 'A request with this Idempotency-Key is still being processed',
  },
  PAYLOAD_TOO_LARGE: { meaning: 'the body is over 16 KB', error: 'Request body is larger than 16 KB' },
  UNSUPPORTED_MEDIA_TYPE: {
    meaning: 'the body is not sent as `Content-Type: application/json`',
    error: 'Send the body as JSON with Content-Type: application/json',
  },
  RATE_LIMITED: {
    meaning:
      'too many requests from this client address (`ip`) or for this customer (`user`: the JWT subject, else address and user id); retry after `Retry-After` seconds',
    error: 'Too many requests, slow down',
    details: [{ scope: 'ip', retry_after: 42 }],
  },
  SERVICE_UNAVAILABLE: {
    meaning: 'Redis or Postgres did not answer; retry after `Retry-After` seconds',
    error: 'redis is unavailable, try again shortly',
  },
  CONFIGURATION_ERROR: {
    meaning: 'the server is misconfigured (the message names the variable)',
    error: 'Invalid configuration: REDIS_TTL must be a whole number',
  },
  INTERNAL_ERROR: { meaning: 'a bug; never with a stack trace', error: 'Internal server error' },
}

/** A code, or a code with an answer of its own (a more telling example for this operation). */
export type ErrorExampleCase = ErrorCode | ({ code: ErrorCode } & Partial<Omit<ErrorExample, 'meaning'>>)

const caseCode = (c: ErrorExampleCase) => (typeof c === 'string' ? c : c.code)

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
}

const ref = (name: string) => ({ $ref: `#/components/headers/${name}` })

/** Headers an answer carries, by status. */
const ERROR_HEADERS: Record<number, Record<string, OpenAPIV3_1.ReferenceObject>> = {
  401: { 'WWW-Authenticate': ref('WWW-Authenticate') },
  405: { Allow: ref('Allow') },
  429: { 'Retry-After': ref('Retry-After'), ...rateLimitHeaders() },
  503: { 'Retry-After': ref('Retry-After') },
}

/** RateLimit-* of the window the request went through (for a write: the tighter of its two). */
export function rateLimitHeaders() {
  return { 'RateLimit-Limit': ref('RateLimit-Limit'), 'RateLimit-Remaining': ref('RateLimit-Remaining'), 'RateLimit-Reset': ref('RateLimit-Reset') }
}

/**
 * One error response: the Error envelope with `code` narrowed to `cases`,
 * a line per code in the description and one named example per code.
 */
export function errorResponse(status: number, cases: readonly ErrorExampleCase[]): Response {
  const codes = [...new Set(cases.map(caseCode))]
  const examples: Record<string, OpenAPIV3_1.ExampleObject> = {}
  cases.forEach((c, index) => {
    const code = caseCode(c)
    const example = { ...ERROR_EXAMPLES[code], ...(typeof c === 'string' ? {} : c) }
    const name = code in examples ? `${code}_${index + 1}` : code
    examples[name] = { summary: `${code}: ${example.error}`, value: failure(code, example.error, example.details) }
  })
  const headers: Record<string, OpenAPIV3_1.ReferenceObject> = { ...ERROR_HEADERS[status] }
  if (status === 409 && (codes.includes('IDEMPOTENCY_KEY_IN_FLIGHT') || codes.includes('STOCK_EDIT_IN_FLIGHT')))
    headers['Retry-After'] = ref('Retry-After')
  return {
    description: [`${STATUS_TEXT[status] ?? status}:`, ...codes.map((code) => `- \`${code}\`: ${ERROR_EXAMPLES[code].meaning}`)].join('\n'),
    ...(Object.keys(headers).length ? { headers } : {}),
    content: {
      'application/json': {
        schema: {
          allOf: [{ $ref: '#/components/schemas/Error' }, { type: 'object', properties: { code: { type: 'string', enum: codes } } }],
        },
        examples,
      },
    },
  }
}

/** Error responses by status: `{ 404: ['PRODUCT_NOT_FOUND'], 409: [...] }`. */
export function errorResponses(byStatus: Partial<Record<number, readonly ErrorExampleCase[]>>): ResponsesWithResolver {
  const responses: ResponsesWithResolver = {}
  for (const [status, cases] of Object.entries(byStatus)) {
    if (cases?.length) responses[status] = errorResponse(Number(status), cases)
  }
  return responses
}

/** The first `examples` entry of a zod schema's metadata (arrays: of their element). */
export function exampleOf(schema: ZodType): unknown {
  const example = (schema.meta()?.examples as unknown[] | undefined)?.[0]
  if (example !== undefined) return example
  const def = schema.def as { type: string; element?: ZodType; shape?: Record<string, ZodType> }
  if (def.type === 'array' && def.element) return [exampleOf(def.element)]
  if (def.type === 'object' && def.shape) {
    return Object.fromEntries(Object.entries(def.shape).map(([key, field]) => [key, exampleOf(field)]))
  }
  if (def.type === 'nullable') return null
  throw new Error(`no example for a ${def.type} schema: add .meta({ examples: [...] })`)
}

/** A success response: `{success: true, data, message?}` with `data` of `schema` and an example. */
export function success(
  description: string,
  data: ZodType,
  options: { message?: string; example?: unknown; headers?: (keyof typeof HEADERS)[]; links?: Record<string, OpenAPIV3_1.LinkObject> } = {},
): Response {
  const example = ok(options.example ?? exampleOf(data), options.message)
  return {
    description,
    ...(options.headers ? { headers: Object.fromEntries(options.headers.map((name) => [name, ref(name)])) } : {}),
    ...(options.links ? { links: options.links } : {}),
    content: { 'application/json': { schema: responseSchema(successBody(data)), example } },
  }
}

/** Shared pieces the responses refer to (`components` of the document). */
export const HEADERS: Record<string, OpenAPIV3_1.HeaderObject> = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 }, example: 2 },
  'RateLimit-Limit': { description: 'Requests allowed in the window', schema: { type: 'integer' }, example: 100 },
  'RateLimit-Remaining': { description: 'Requests left in the window', schema: { type: 'integer', minimum: 0 }, example: 99 },
  'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer', minimum: 0 }, example: 900 },
  'WWW-Authenticate': { description: 'The scheme to authenticate with', schema: { type: 'string' }, example: 'Bearer' },
  Allow: { description: 'The methods the path serves, comma-separated', schema: { type: 'string' }, example: 'GET, HEAD' },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
    example: 'true',
  },
}

/** Answers that belong to no one operation: a path the API does not serve, or a method it does not serve there. */
export const SHARED_RESPONSES: Record<string, Response> = {
  NotFound: errorResponse(404, ['NOT_FOUND']),
  MethodNotAllowed: errorResponse(405, ['METHOD_NOT_ALLOWED']),
}
