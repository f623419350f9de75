import { Hono } from 'hono'
import { describeRoute, type GenerateSpecOptions, generateSpecs } from 'hono-openapi'
import type { OpenAPIV3_1 } from 'openapi-types'
import { version } from '../../package.json'
import { specOf, type Tag } from '../http/route'
import { errorBody } from '../schemas/envelope'
import { operation } from './operation'
import { HEADERS, SHARED_RESPONSES } from './responses'
import { responseSchema } from './schema'
import { documented } from './validate'

export const TAGS = [
  { name: 'Products', description: 'The catalogue and its live stock counters. Creating and restocking need the admin token.' },
  {
    name: 'Waiting room',
    description:
      'For a product with a `waiting_room`: shoppers take a place in line, are admitted first come, first served, at its rate, and reserve with the admission token their turn gives.',
  },
  { name: 'Reservations', description: 'Short holds on stock: a hold lapses after REDIS_TTL seconds and its units go back on sale.' },
  { name: 'Checkout', description: 'Turns a hold into an order.' },
  { name: 'Users', description: "A shopper's holds and orders." },
  { name: 'Health', description: 'Whether the stores answer.' },
] as const satisfies readonly { name: Tag; description: string }[]

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

**Limits.** A shopper's writes (reserve, bulk reserve, cancel, checkout,
joining a line) count against two windows, one per client address and one per
customer, and one address holds at most a set number of units of a product.
Reads and product writes count against a window per client address; \`/health\`
and polling a ticket are not limited. A 429 carries \`Retry-After\` and
\`details: [{scope, retry_after}]\`; answers that went through a window carry
\`RateLimit-Limit\`, \`RateLimit-Remaining\` and \`RateLimit-Reset\`. A store
that does not answer gives 503 with \`Retry-After\`. Product and status
answers may come from a cache when the server sets
\`PUBLIC_READ_CACHE_SECONDS\` (their \`Cache-Control\` says how old they may be).

**Schemas** say exactly what the server accepts: patterns are ECMA-262 with
the \`u\` flag (free text may hold neither U+0000 nor an unpaired surrogate),
lengths count code points, \`multipleOf\` is exact decimal arithmetic (a
validator working in binary floating point needs a tolerance, e.g. ajv's
\`multipleOfPrecision\`). Two rules JSON Schema cannot state are extension
keywords: \`x-after: <field>\` (later than that sibling date-time when both are
given) and \`x-unique-by: <field>\` (no two items with the same value there;
\`1\` and \`"1"\` are the same product). A third, \`x-credential: true\`, marks a
signed token the API gave (a waiting room's ticket or admission token): a
value of the right form that the API did not give is refused for what it is,
not for its form.

A path the API does not serve answers 404 \`NOT_FOUND\`; a path it serves, asked
with a method it does not serve there, answers 405 \`METHOD_NOT_ALLOWED\` with
\`Allow\` listing the methods it does serve.`

/** The reference page (src/routes/docs.ts), which the document does not list. */
export const DOCS_PATHS = ['/api/docs']

const documentation: GenerateSpecOptions['documentation'] = {
  openapi: '3.1.0',
  info: {
    title: 'Flash Deal API',
    version,
    description: DESCRIPTION,
  },
  // Relative: the origin that serves the document (a static file on every door).
  servers: [{ url: '/', description: 'The server this document came from' }],
  tags: [...TAGS],
  components: {
    securitySchemes: {
      adminToken: {
        type: 'http',
        scheme: 'bearer',
        description: "The server's ADMIN_TOKEN. Product writes need it; with no ADMIN_TOKEN set they answer 403.",
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
 * The OpenAPI 3.1 document of `app`, made from its route declarations
 * (src/http/route.ts): each declared operation is described to hono-openapi
 * on a documentation-only app, with validators that carry the same zod
 * schemas the routes validate with. Run at build time (scripts/openapi.ts),
 * never in the Worker: the app serves the committed result.
 */
export async function openApiDocument(app: Hono<any, any, any>): Promise<OpenAPIV3_1.Document> {
  const described = new Hono()
  for (const r of app.routes) {
    const spec = specOf(r.handler)
    if (!spec) continue
    const validators = (['params', 'query', 'headers', 'body'] as const).flatMap((part) => {
      const schema = spec[part]
      return schema ? [documented(TARGET[part], schema)] : []
    })
    described.on(r.method, r.path, describeRoute(operation(spec)), ...validators, (c) => c.body(null))
  }
  const error = await responseSchema(errorBody).toOpenAPISchema()
  const document = await generateSpecs(described, {
    documentation: {
      ...documentation,
      components: { ...documentation.components, schemas: { ...error.components?.schemas } },
    },
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

const TARGET = { params: 'param', query: 'query', headers: 'header', body: 'json' } as const
