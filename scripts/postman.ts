// Writes postman/flash-sale-api.json, a Postman v2.1 collection made from the
// OpenAPI document of the app: one request per operation, in one folder per
// tag, in an order that "Run collection" (or newman) can follow to an order:
// health → create a product → read it, restock it, its counters → reserve →
// bulk (a second shopper) → cancel that → checkout with a fresh
// Idempotency-Key → the shopper's holds and orders → a product with a waiting
// room: a place in its line, polled until admitted. Ids pass from one answer
// to the next request in collection variables; every request checks its
// status and that its body has the shape of its success schema.
//
//   npm run postman
//
// test/unit/openapi.test.ts fails when the committed file is stale;
// test/node/first-run.test.ts runs it with newman against npm run dev.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { OpenAPIV3_1 } from 'openapi-types'
import { createApp } from '../src/app'
import type { Tag } from '../src/http/route'
import { openApiDocument } from '../src/openapi/document'

export const COLLECTION_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../postman/flash-sale-api.json')

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

type Json = Record<string, unknown>

export interface PostmanVariable {
  key: string
  value: string
  type?: string
  description?: string
  disabled?: boolean
}

export interface PostmanRequest {
  method: string
  header: PostmanVariable[]
  auth: Json
  url: { raw: string; host: string[]; path: string[]; variable?: PostmanVariable[]; query?: PostmanVariable[] }
  body?: { mode: 'raw'; raw: string; options: { raw: { language: 'json' } } }
  description?: string
}

export interface PostmanEvent {
  listen: 'prerequest' | 'test'
  script: { type: 'text/javascript'; exec: string[] }
}

export interface PostmanItem {
  name: string
  event: PostmanEvent[]
  request: PostmanRequest
  response: Json[]
}

export interface PostmanCollection {
  info: { name: string; description: string; schema: string }
  auth: Json
  variable: PostmanVariable[]
  item: { name: string; description?: string; item: PostmanItem[] }[]
}

/** The folders in the order a run takes them: is the server up, then the life of a product from creation to an order. */
const RUN_ORDER: Tag[] = ['Health', 'Products', 'Reservations', 'Checkout', 'Users', 'Waiting room']

/**
 * What an operation sends and checks in a run, beyond its status and shape:
 * parameter values and bodies (with `{{variables}}`), and test lines that
 * see `body` (the answer's JSON) and `v` (pm.variables).
 */
interface Step {
  params?: Record<string, string>
  headers?: Record<string, string>
  body?: Json
  prerequest?: string[]
  test: string[]
}

const LINED_PRODUCT = {
  name: 'Postman drop with a line',
  total_stock: 10,
  price: '120.00',
  max_per_user: 1,
  waiting_room: { admit_per_second: 50, admission_ttl_seconds: 120 },
}

const PRODUCT = { name: 'Postman drop', description: 'Made by a run of the Postman collection', total_stock: 100, price: '89.90', max_per_user: 2 }

const FLOW: Record<string, Step> = {
  health: {
    test: [
      `pm.test('Redis and Postgres are up', () => pm.expect([body.data.dependencies.redis.status, body.data.dependencies.postgres.status]).to.eql(['up', 'up']))`,
    ],
  },
  listProducts: { test: [`pm.test('a page of the catalogue', () => pm.expect(body.data.products.length).to.be.at.most(20))`] },
  createProduct: {
    body: PRODUCT,
    test: [
      `pm.test('the product as sent, with a new id', () => pm.expect(body.data).to.include(${JSON.stringify({ ...PRODUCT, sold: 0 })}))`,
      `pm.collectionVariables.set('productId', body.data.id)`,
    ],
  },
  getProduct: {
    params: { productId: '{{productId}}' },
    test: [`pm.test('the product just created', () => pm.expect(body.data).to.include({ id: v.get('productId'), name: '${PRODUCT.name}' }))`],
  },
  setProductStock: {
    params: { productId: '{{productId}}' },
    body: { total_stock: 150 },
    test: [`pm.test('its stock is now 150', () => pm.expect(body.data).to.include({ id: v.get('productId'), total_stock: 150 }))`],
  },
  getProductStatus: {
    params: { productId: '{{productId}}' },
    test: [
      `pm.test('150 units, all available', () => pm.expect(body.data).to.include({ product_id: v.get('productId'), total_stock: 150, sold: 0, reserved_stock: 0, available_stock: 150 }))`,
    ],
  },
  reserve: {
    body: { user_id: '{{shopper}}', product_id: '{{productId}}', quantity: 2 },
    test: [
      `pm.test('2 units held, all the shopper may have (max_per_user 2)', () => pm.expect(body.data).to.include({ user_id: v.get('shopper'), product_id: v.get('productId'), quantity: 2, may_buy_more: 0 }))`,
    ],
  },
  reserveBulk: {
    body: { user_id: '{{otherShopper}}', items: [{ product_id: '{{productId}}', quantity: 1 }] },
    test: [
      `pm.test('a second shopper holds 1 unit', () => pm.expect(body.data).to.have.length(1) && pm.expect(body.data[0]).to.include({ user_id: v.get('otherShopper'), product_id: v.get('productId'), quantity: 1 }))`,
    ],
  },
  releaseReservation: {
    params: { userId: '{{otherShopper}}', productId: '{{productId}}' },
    test: [`pm.test("the second shopper's unit is back on sale", () => pm.expect(body.data).to.eql({ released: 1 }))`],
  },
  checkout: {
    // A new key for each send of this request; resend the same key (from the variable) to see a replay.
    prerequest: [`pm.collectionVariables.set('idempotencyKey', pm.variables.replaceIn('{{$guid}}'))`],
    headers: { 'Idempotency-Key': '{{idempotencyKey}}' },
    body: { user_id: '{{shopper}}', product_id: '{{productId}}', quantity: 2, total_amount: '179.80' },
    test: [
      `pm.test('an order for the 2 held units, 2 × 89.90', () => pm.expect(body.data).to.include({ user_id: v.get('shopper'), product_id: v.get('productId'), quantity: 2, total_amount: '179.80', status: 'confirmed' }))`,
      `pm.test('a first answer, not a replay', () => pm.expect(pm.response.headers.get('Idempotent-Replayed')).to.not.equal('true'))`,
      `pm.collectionVariables.set('orderId', body.data.order_id)`,
    ],
  },
  listUserReservations: {
    params: { userId: '{{shopper}}' },
    test: [`pm.test('the bought hold is gone', () => pm.expect(body.data.filter((hold) => hold.product_id === v.get('productId'))).to.eql([]))`],
  },
  listUserOrders: {
    params: { userId: '{{shopper}}', limit: '20' },
    test: [`pm.test('the order is in the listing', () => pm.expect(body.data.orders.map((order) => order.order_id)).to.include(v.get('orderId')))`],
  },
  joinQueue: {
    // A product of its own with a waiting room, made through the API just before joining its line.
    prerequest: [
      `pm.sendRequest({ url: pm.variables.replaceIn('{{baseUrl}}/api/products'), method: 'POST',`,
      `  header: { 'Content-Type': 'application/json', Authorization: pm.variables.replaceIn('Bearer {{adminToken}}') },`,
      `  body: { mode: 'raw', raw: JSON.stringify(${JSON.stringify(LINED_PRODUCT)}) },`,
      `}, (error, answer) => { if (error) throw error; pm.collectionVariables.set('queueProductId', answer.json().data.id); pm.collectionVariables.set('polls', 0) })`,
    ],
    params: { productId: '{{queueProductId}}' },
    body: { user_id: '{{shopper}}' },
    test: [
      `pm.test('a place at the front of a new line', () => pm.expect(body.data.position).to.be.at.most(1))`,
      `pm.collectionVariables.set('ticket', body.data.ticket)`,
    ],
  },
  getQueueStatus: {
    params: { productId: '{{queueProductId}}', ticket: '{{ticket}}' },
    test: [
      `pm.test('waiting or let in', () => pm.expect(body.data.status).to.be.oneOf(['waiting', 'admitted']))`,
      // Poll again while waiting (the line lets 50 a second in: a few polls at most).
      `const polls = Number(v.get('polls')) + 1`,
      `pm.collectionVariables.set('polls', polls)`,
      `if (body.data.status === 'waiting' && polls < 50) postman.setNextRequest(pm.info.requestName)`,
      `else pm.test('let in, with an admission token', () => pm.expect(body.data.admission_token).to.be.a('string'))`,
      `if (body.data.admission_token) pm.collectionVariables.set('admissionToken', body.data.admission_token)`,
    ],
  },
}

/** What a test checks of a body: the types and the required properties of a schema, followed through $refs. */
interface Shape {
  type?: string[]
  properties?: Record<string, Shape>
  items?: Shape
}

function shapeOf(doc: OpenAPIV3_1.Document, schema: OpenAPIV3_1.SchemaObject | OpenAPIV3_1.ReferenceObject): Shape {
  const s = deref(doc, schema) as OpenAPIV3_1.SchemaObject & { const?: unknown }
  const alternatives = s.anyOf ?? s.oneOf
  if (alternatives) return { type: [...new Set(alternatives.flatMap((alt) => shapeOf(doc, alt).type ?? []))] }
  const shape: Shape = {}
  if (s.type !== undefined) shape.type = [s.type].flat()
  else if (s.const !== undefined) shape.type = [typeof s.const]
  if (s.properties && s.required) shape.properties = Object.fromEntries(s.required.map((key) => [key, shapeOf(doc, s.properties![key]!)]))
  if ('items' in s && s.items) shape.items = shapeOf(doc, s.items)
  return shape
}

/** Sandbox code: `value` has the types and the required properties of `shape` (a Shape), else an assertion fails naming where. */
const CONFORMS = `const conforms = (value, shape, at) => {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value
  if (shape.type) pm.expect(shape.type.includes(kind) || (kind === 'integer' && shape.type.includes('number')), \`\${at} is \${shape.type.join(' or ')}, not \${kind}\`).to.equal(true)
  if (shape.properties && kind === 'object') for (const [key, inner] of Object.entries(shape.properties)) {
    pm.expect(value, at).to.have.property(key)
    conforms(value[key], inner, \`\${at}.\${key}\`)
  }
  if (shape.items && kind === 'array') value.forEach((item, i) => conforms(item, shape.items, \`\${at}[\${i}]\`))
}`.split('\n')

/** A test script's lines checking the status and the shape of the answer. */
function answerChecks(status: number, shape: Shape, schemaName: string): string[] {
  return [
    `pm.test('answers ${status}', () => pm.response.to.have.status(${status}))`,
    'const body = pm.response.json()',
    'const v = pm.variables',
    ...CONFORMS,
    `pm.test('the body is the success envelope of ${schemaName}', () => conforms(body, ${JSON.stringify(shape)}, 'body'))`,
  ]
}

const bearer = (variable: string) => ({ type: 'bearer', bearer: [{ key: 'token', value: `{{${variable}}}`, type: 'string' }] })

/** Follows a local `$ref` (#/components/...). */
function deref<T>(doc: OpenAPIV3_1.Document, value: T | OpenAPIV3_1.ReferenceObject): T {
  if (!value || typeof value !== 'object' || !('$ref' in value)) return value as T
  const target = value.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
  if (target === undefined) throw new Error(`unresolved $ref ${value.$ref}`)
  return deref(doc, target as T)
}

/** The first example a schema (or its $ref) gives. */
function schemaExample(doc: OpenAPIV3_1.Document, schema: OpenAPIV3_1.SchemaObject | OpenAPIV3_1.ReferenceObject | undefined): unknown {
  if (!schema) return undefined
  const resolved = deref(doc, schema) as OpenAPIV3_1.SchemaObject & { examples?: unknown[] }
  return resolved.examples?.[0] ?? resolved.example ?? resolved.default
}

const asText = (value: unknown) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value))

/** How a request authenticates: the operation's first security requirement that names a scheme. */
function auth(doc: OpenAPIV3_1.Document, op: OpenAPIV3_1.OperationObject): Json {
  const schemes = (op.security ?? doc.security ?? []).flatMap((requirement) => Object.keys(requirement))
  if (schemes.includes('adminToken')) return bearer('adminToken')
  if (schemes.includes('shopperJwt')) return bearer('shopperToken')
  return { type: 'noauth' }
}

function item(doc: OpenAPIV3_1.Document, path: string, method: string, op: OpenAPIV3_1.OperationObject): PostmanItem {
  // Without a step of its own, an operation is sent with the document's examples and checked for its
  // success status and shape; the newman run (test/node/first-run.test.ts) says when that is not enough.
  const step = (op.operationId ? FLOW[op.operationId] : undefined) ?? { test: [] }
  const params = (op.parameters ?? []).map((p) => deref<OpenAPIV3_1.ParameterObject>(doc, p))
  const example = (p: OpenAPIV3_1.ParameterObject) =>
    step.params?.[p.name] ?? step.headers?.[p.name] ?? asText(p.example ?? schemaExample(doc, p.schema))
  // A signed token (`x-credential`) is never made up: it comes from a variable an earlier answer set.
  const credential = (p: OpenAPIV3_1.ParameterObject) => (p.name.toLowerCase() === 'x-admission-token' ? '{{admissionToken}}' : undefined)
  const variable = (p: OpenAPIV3_1.ParameterObject): PostmanVariable => ({
    key: p.name,
    value: credential(p) ?? example(p),
    ...(p.description ? { description: p.description } : {}),
    // Sent only once there is one to send (reserving a product with a waiting room).
    ...(credential(p) ? { disabled: true } : {}),
  })

  const segments = path
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/^\{(.+)\}$/, ':$1'))
  const query = params.filter((p) => p.in === 'query').map((p) => ({ ...variable(p), ...(p.required ? {} : { disabled: !example(p) }) }))
  const pathVariables = params.filter((p) => p.in === 'path').map(variable)
  const queryString = query.filter((q) => !q.disabled).map((q) => `${q.key}=${q.value}`)
  const url: PostmanRequest['url'] = {
    raw: `{{baseUrl}}/${segments.join('/')}${queryString.length ? `?${queryString.join('&')}` : ''}`,
    host: ['{{baseUrl}}'],
    path: segments,
    ...(pathVariables.length ? { variable: pathVariables } : {}),
    ...(query.length ? { query } : {}),
  }

  const header: PostmanVariable[] = params.filter((p) => p.in === 'header').map(variable)
  const requestBody = op.requestBody ? deref<OpenAPIV3_1.RequestBodyObject>(doc, op.requestBody) : undefined
  const json = requestBody?.content['application/json']
  if (json) header.unshift({ key: 'Content-Type', value: 'application/json' })

  const request: PostmanRequest = {
    method: method.toUpperCase(),
    header,
    auth: auth(doc, op),
    url,
    ...(json
      ? {
          body: {
            mode: 'raw' as const,
            raw: JSON.stringify(step.body ?? json.example ?? schemaExample(doc, json.schema) ?? {}, null, 2),
            options: { raw: { language: 'json' as const } },
          },
        }
      : {}),
    ...(op.description ? { description: op.description } : {}),
  }

  // The success answer as a saved example response, and what the test script checks of it.
  const response: Json[] = []
  const event: PostmanEvent[] = []
  if (step.prerequest) event.push({ listen: 'prerequest', script: { type: 'text/javascript', exec: step.prerequest } })
  for (const [status, value] of Object.entries(op.responses ?? {})) {
    if (!status.startsWith('2')) continue
    const answer = deref<OpenAPIV3_1.ResponseObject>(doc, value)
    const schema = answer.content?.['application/json']?.schema
    if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${status}: no JSON schema`)
    const data = (deref(doc, schema) as OpenAPIV3_1.SchemaObject).properties?.data
    const dataName = data && '$ref' in data ? data.$ref.split('/').pop() : 'a list'
    event.push({
      listen: 'test',
      script: { type: 'text/javascript', exec: [...answerChecks(Number(status), shapeOf(doc, schema), dataName!), ...step.test] },
    })
    const body = answer.content?.['application/json']?.example
    response.push({
      name: answer.description,
      originalRequest: request,
      status: answer.description,
      code: Number(status),
      _postman_previewlanguage: 'json',
      header: [{ key: 'Content-Type', value: 'application/json' }],
      body: JSON.stringify(body ?? null, null, 2),
    })
  }
  return { name: op.summary ?? op.operationId ?? `${method.toUpperCase()} ${path}`, event, request, response }
}

/** The collection of an OpenAPI document: one folder per tag, in RUN_ORDER, the rest after them in the document's order. */
export function postmanCollection(doc: OpenAPIV3_1.Document): PostmanCollection {
  const folders = new Map<string, { name: string; description?: string; item: PostmanItem[] }>()
  const tags = [...(doc.tags ?? [])].sort((a, b) => rank(a.name) - rank(b.name))
  for (const tag of tags) folders.set(tag.name, { name: tag.name, ...(tag.description ? { description: tag.description } : {}), item: [] })
  for (const [path, pathItem] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = pathItem?.[method]
      if (!op) continue
      const tag = op.tags?.[0] ?? 'Other'
      if (!folders.has(tag)) folders.set(tag, { name: tag, item: [] })
      folders.get(tag)!.item.push(item(doc, path, method, op))
    }
  }
  return {
    info: {
      name: doc.info.title,
      description: `${doc.info.description ?? ''}\n\n**Run collection** follows a product from creation to an order: it creates a product (\`productId\`), reads and restocks it, has \`shopper\` hold 2 units and \`otherShopper\` hold 1 in bulk and cancel it, buys the 2 with a new \`idempotencyKey\`, and finds the order (\`orderId\`) in the shopper's list; then it makes a product with a waiting room (\`queueProductId\`), takes a place in its line (\`ticket\`) and polls it until admitted (\`admissionToken\`, for the X-Admission-Token header of a reserve). Each request checks its answer. Set \`baseUrl\` and \`adminToken\` (product writes; \`npm run dev\` prints it), and \`shopperToken\` only when the server checks shopper JWTs.\n\nMade from the OpenAPI document (GET /api/openapi.json) by \`npm run postman\`.`,
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    auth: { type: 'noauth' },
    variable: [
      { key: 'baseUrl', value: 'http://127.0.0.1:3000', type: 'string', description: 'Where the API runs (npm run dev: http://127.0.0.1:3000)' },
      { key: 'adminToken', value: '', type: 'string', description: "The server's ADMIN_TOKEN, for creating and restocking products" },
      {
        key: 'shopperToken',
        value: '',
        type: 'string',
        description: 'A JWT whose sub is the user_id; only when the server sets JWT_SECRET or JWT_JWKS_URL',
      },
      { key: 'shopper', value: 'postman-alice', type: 'string', description: 'The shopper who holds and buys' },
      { key: 'otherShopper', value: 'postman-bob', type: 'string', description: 'A second shopper, who holds in bulk and cancels' },
      { key: 'productId', value: '', type: 'string', description: 'Set by "Create a product"' },
      { key: 'idempotencyKey', value: '', type: 'string', description: 'Set before each "Buy held units": a new UUID' },
      { key: 'orderId', value: '', type: 'string', description: 'Set by "Buy held units"' },
      {
        key: 'queueProductId',
        value: '',
        type: 'string',
        description: 'Set before "Take a place in a product\'s waiting room": a product with a waiting room',
      },
      { key: 'ticket', value: '', type: 'string', description: 'Set by "Take a place in a product\'s waiting room": the ticket to poll' },
      { key: 'polls', value: '0', type: 'string', description: 'How many times the run has polled the ticket' },
      {
        key: 'admissionToken',
        value: '',
        type: 'string',
        description: 'Set by "Where a place in line stands" once admitted: enable the X-Admission-Token header of a reserve with it',
      },
    ],
    item: [...folders.values()].filter((folder) => folder.item.length > 0),
  }
}

function rank(tag: string): number {
  const at = RUN_ORDER.indexOf(tag as Tag)
  return at < 0 ? RUN_ORDER.length : at
}

/** The collection of the app as it is now. */
export async function currentCollection(): Promise<PostmanCollection> {
  const app = createApp(() => {
    throw new Error('the document is made from the routes alone')
  })
  return postmanCollection(await openApiDocument(app))
}

export const serialize = (collection: PostmanCollection) => `${JSON.stringify(collection, null, 2)}\n`

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const collection = await currentCollection()
  mkdirSync(dirname(COLLECTION_FILE), { recursive: true })
  writeFileSync(COLLECTION_FILE, serialize(collection))
  const requests = collection.item.reduce((n, folder) => n + folder.item.length, 0)
  console.log(`wrote ${COLLECTION_FILE}: ${requests} requests in ${collection.item.length} folders`)
}
