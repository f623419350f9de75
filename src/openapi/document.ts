import type { Hono } from 'hono'
import { type GenerateSpecOptions, generateSpecs } from 'hono-openapi'
import type { OpenAPIV3_1 } from 'openapi-types'
import { version } from '../../package.json'
import { errorBody } from '../schemas/envelope'
import { HEADERS, SHARED_RESPONSES } from './responses'
import { responseSchema } from './schema'

export const TAGS = [
  { name: 'Products', description: 'The catalogue and its live stock counters. Creating and restocking need the admin token.' },
  { name: 'Reservations', description: 'Short holds on stock: a hold lapses after REDIS_TTL seconds and its units go back on sale.' },
  { name: 'Checkout', description: 'Turns a hold into an order.' },
  { name: 'Users', description: "A shopper's holds and orders." },
  { name: 'Health', description: 'Whether the stores answer.' },
] as const

export type Tag = (typeof TAGS)[number]['name']

const DESCRIPTION = `Reservations and checkout for flash sales: \`reserve\` puts a short hold on
limited stock, \`checkout\` turns the hold into an order, and a hold that is
neither bought nor cancelled lapses and its units go back on sale.

**Envelope.** Every answer is \`{"success": true, "data": …, "message"?: …}\` or
\`{"success": false, "error": "…", "code": "…", "details"?: […]}\`; \`code\` is one
of the values of the \`Error\` schema. Fields are snake_case. \`product_id\` is
sent as a number or a numeric string and comes back as a string; money is sent as
\`19.99\` (number or string) and comes back as \`"19.99"\`.

**Bodies** are JSON (\`Content-Type: application/json\`, else 415) of at most
16 KB (else 413).

**Auth.** Creating and restocking products need \`Authorization: Bearer
<ADMIN_TOKEN>\`. Shopper routes need a bearer JWT whose \`sub\` is the user id
only when the server sets \`JWT_SECRET\` or \`JWT_JWKS_URL\`.

**Limits.** Every \`/api\` request goes through one rate limiter: reserve, bulk
reserve and checkout per user, the others per client IP. A 429 carries
\`Retry-After\`; answers carry \`RateLimit-Limit\`, \`RateLimit-Remaining\` and
\`RateLimit-Reset\` (when the server has a limiter). A store that does not answer
gives 503 with \`Retry-After\`.

**Schemas** say exactly what the server accepts: patterns are ECMA-262 with
the \`u\` flag (free text may hold neither U+0000 nor an unpaired surrogate),
lengths count code points, \`multipleOf\` is exact decimal arithmetic (a
validator working in binary floating point needs a tolerance, e.g. ajv's
\`multipleOfPrecision\`). Two rules JSON Schema cannot state are extension
keywords: \`x-after: <field>\` (later than that sibling date-time when both are
given) and \`x-unique-by: <field>\` (no two items with the same value there;
\`1\` and \`"1"\` are the same product).

A path the API does not serve answers 404 \`NOT_FOUND\`; a path it serves, asked
with a method it does not serve there, answers 405 \`METHOD_NOT_ALLOWED\` with
\`Allow\` listing the methods it does serve.`

/** Paths of the docs themselves (src/routes/docs.ts), which the document does not list. */
export const DOCS_PATHS = ['/api/openapi.json', '/api/docs']

const documentation: GenerateSpecOptions['documentation'] = {
  openapi: '3.1.0',
  info: {
    title: 'Flash Deal API',
    version,
    description: DESCRIPTION,
  },
  servers: [
    { url: '/', description: 'The server this document came from' },
    { url: 'http://127.0.0.1:3000', description: 'Local (npm run dev)' },
  ],
  tags: [...TAGS],
  components: {
    securitySchemes: {
      adminToken: {
        type: 'http',
        scheme: 'bearer',
        description: 'The server\'s ADMIN_TOKEN. Product writes need it; with no ADMIN_TOKEN set they answer 403.',
      },
      shopperJwt: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'Needed only when the server sets JWT_SECRET (HS256) or JWT_JWKS_URL (RS256, ES256, EdDSA): a JWT whose `sub` is the user id the request acts for.',
      },
    },
    headers: HEADERS,
    responses: SHARED_RESPONSES,
  },
}

/**
 * The OpenAPI 3.1 document of `app`: every route marked with describeRoute()
 * and the documented validators (src/openapi/validate.ts), from the same zod
 * schemas the routes validate with.
 */
export async function openApiDocument(app: Hono<any, any, any>): Promise<OpenAPIV3_1.Document> {
  const error = await responseSchema(errorBody).toOpenAPISchema()
  const document = await generateSpecs(app, {
    documentation: {
      ...documentation,
      components: { ...documentation.components, schemas: { ...error.components?.schemas } },
    },
    exclude: DOCS_PATHS,
    defaultValidationErrorResponse: false,
  })
  // HTTP header names are case-insensitive; show them as people write them.
  for (const item of Object.values(document.paths ?? {})) {
    for (const op of Object.values(item ?? {}) as OpenAPIV3_1.OperationObject[]) {
      for (const param of op.parameters ?? []) {
        if ('in' in param && param.in === 'header') param.name = param.name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase())
      }
    }
  }
  return document as OpenAPIV3_1.Document
}
