import { readFileSync } from 'node:fs'
import { Validator } from '@seriousme/openapi-schema-validator'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { OpenAPIV3_1 } from 'openapi-types'
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import { COLLECTION_FILE, currentCollection, postmanCollection } from '../../scripts/postman'
import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { parseConfig } from '../../src/env'
import { ERROR_CODES, type ErrorCode } from '../../src/errors/codes'
import type { ErrorBody, SuccessBody } from '../../src/errors/envelope'
import { statusesOf, statusOf } from '../../src/errors/status'
import { specOf } from '../../src/http/route'
import type { HoldView, OrderView, ProductStatusView, ProductView } from '../../src/http/views'
import { DOCS_PATHS, openApiDocument } from '../../src/openapi/document'
import { checkoutBody, checkoutHeaders, type orderResponse, type ordersPageResponse, ordersQuery } from '../../src/schemas/checkout'
import type { errorBody, successBody } from '../../src/schemas/envelope'
import type { healthResponse } from '../../src/schemas/health'
import { createProductBody, type productResponse, type productStatusResponse, updateProductBody } from '../../src/schemas/products'
import { joinBody, type lineStatusResponse, type placeResponse } from '../../src/schemas/queue'
import { bulkReserveBody, type holdResponse, type releaseResponse, reserveBody } from '../../src/schemas/reservations'
import type { lineStatusView, placeView, storeHealthView } from '../../src/http/views'
import { DOCUMENT_FILE, documentText } from '../../scripts/openapi'
import { STATIC_FILES } from '../../web/headers'

/** The app as its entries build it; the document is made from its routes alone. */
const routesOnly = () =>
  createApp(() => {
    throw new Error('the document is made from the routes alone')
  })

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const

type Operation = OpenAPIV3_1.OperationObject & { key: string }

function operationsOf(doc: OpenAPIV3_1.Document): Operation[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = item?.[method]
      return op ? [{ ...op, key: `${method.toUpperCase()} ${path}` }] : []
    }),
  )
}

/** Follows a local $ref. */
function resolveRef<T>(doc: OpenAPIV3_1.Document, value: unknown): T {
  if (!value || typeof value !== 'object' || !('$ref' in value)) return value as T
  const ref = (value as { $ref: string }).$ref
  expect(ref, 'only local references').toMatch(/^#\//)
  const target = ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
  expect(target, `${ref} resolves`).toBeDefined()
  return resolveRef(doc, target)
}

function* walk(node: unknown, path: string[] = []): Generator<[string[], Record<string, unknown>]> {
  if (!node || typeof node !== 'object') return
  if (!Array.isArray(node)) yield [path, node as Record<string, unknown>]
  for (const [key, child] of Object.entries(node)) yield* walk(child, [...path, key])
}

/** Every example body a media type object shows. */
function examplesOf(media: OpenAPIV3_1.MediaTypeObject | undefined): unknown[] {
  if (!media) return []
  return [
    ...(media.example === undefined ? [] : [media.example]),
    ...Object.values(media.examples ?? {}).map((e) => (e as OpenAPIV3_1.ExampleObject).value),
  ]
}

/** Status → the error codes its examples show; 2xx → []. */
function answersOf(doc: OpenAPIV3_1.Document, op: Operation) {
  const answers: Record<string, ErrorCode[]> = {}
  for (const [status, value] of Object.entries(op.responses ?? {})) {
    const response = resolveRef<OpenAPIV3_1.ResponseObject>(doc, value)
    const codes = examplesOf(response.content?.['application/json']).map((e) => (e as { code?: ErrorCode }).code)
    answers[status] = [...new Set(codes.filter((c): c is ErrorCode => c !== undefined))].sort()
  }
  return answers
}

let doc: OpenAPIV3_1.Document

beforeAll(async () => {
  doc = await openApiDocument(routesOnly())
})

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator()
    const result = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>)
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
    for (const [path, node] of walk(doc)) {
      if (typeof node.$ref === 'string') expect(() => resolveRef(doc, node), path.join('.')).not.toThrow()
    }
  })

  it('documents exactly the routes the app serves (the docs routes aside)', () => {
    const served = new Set(
      routesOnly()
        .routes.filter((route) => route.method !== 'ALL' && !DOCS_PATHS.includes(route.path))
        .map((route) => `${route.method} ${route.path.replace(/:(\w+)(\{[^}]*\})?\??/g, '{$1}')}`),
    )
    expect(served.size).toBeGreaterThanOrEqual(12)
    expect(new Set(operationsOf(doc).map((op) => op.key))).toEqual(served)
  })

  it('gives every operation a unique id, a tag, a summary and its path parameters', () => {
    const ops = operationsOf(doc)
    expect(new Set(ops.map((op) => op.operationId)).size).toBe(ops.length)
    const tags = (doc.tags ?? []).map((t) => t.name)
    for (const op of ops) {
      expect(op.summary, op.key).toBeTruthy()
      expect(tags, op.key).toContain(op.tags?.[0])
      const inPath = [...op.key.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
      const params = (op.parameters ?? []).map((p) => resolveRef<OpenAPIV3_1.ParameterObject>(doc, p))
      expect(
        params.filter((p) => p.in === 'path').map((p) => [p.name, p.required]),
        op.key,
      ).toEqual(inPath.map((name) => [name, true]))
    }
  })

  it("lists, for each operation, the answers its declaration implies, each under its code's status", () => {
    const declared = new Map(
      routesOnly().routes.flatMap((r) => (specOf(r.handler) ? [[specOf(r.handler)!.operationId, specOf(r.handler)!] as const] : [])),
    )
    for (const op of operationsOf(doc)) {
      const spec = declared.get(op.operationId!)!
      const answers = answersOf(doc, op)
      expect(Object.keys(answers), op.key).toContain(String(spec.success.status))
      for (const e of spec.errors ?? []) {
        const [code, which] = typeof e === 'string' ? [e, undefined] : [e.code, e.case]
        const statuses = which ? [statusOf(code, which)] : statusesOf(code)
        for (const status of statuses) expect(answers[status], `${op.key} ${code}`).toContain(code)
      }
      if (spec.body) expect(answers, op.key).toMatchObject({ 413: ['PAYLOAD_TOO_LARGE'], 415: ['UNSUPPORTED_MEDIA_TYPE'] })
      if (spec.access !== 'public') expect(answers, op.key).toMatchObject({ 401: ['UNAUTHORIZED'] })
      if (spec.challenge) expect(answers[403], op.key).toEqual(expect.arrayContaining(['CHALLENGE_REQUIRED', 'CHALLENGE_FAILED']))
      expect(429 in answers, op.key).toBe(spec.limit !== 'none')
      expect(answers[503], op.key).toContain('SERVICE_UNAVAILABLE')
    }
  })

  it('shows every error code of ERROR_CODES in at least one example', () => {
    const shown = new Set<string>()
    for (const [, node] of walk(doc)) {
      if (node.success === false && typeof node.code === 'string') shown.add(node.code)
    }
    expect([...ERROR_CODES].filter((code) => !shown.has(code))).toEqual([])
    const enumOfCode = resolveRef<OpenAPIV3_1.SchemaObject>(doc, { $ref: '#/components/schemas/Error' }).properties?.code as OpenAPIV3_1.SchemaObject
    expect(enumOfCode.enum).toEqual([...ERROR_CODES])
  })

  it('has an example for every response, and every example fits its schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats(ajv)
    const check = (schema: unknown, value: unknown, where: string) => {
      const validate = ajv.compile({ ...(schema as object), components: doc.components })
      expect(validate(value), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true)
    }
    for (const op of operationsOf(doc)) {
      for (const [status, value] of Object.entries(op.responses ?? {})) {
        const media = resolveRef<OpenAPIV3_1.ResponseObject>(doc, value).content?.['application/json']
        const examples = examplesOf(media)
        expect(examples.length, `${op.key} ${status} has an example`).toBeGreaterThan(0)
        for (const example of examples) check(media!.schema, example, `${op.key} ${status}`)
      }
      for (const param of op.parameters ?? []) {
        const p = resolveRef<OpenAPIV3_1.ParameterObject>(doc, param)
        const schema = p.schema as OpenAPIV3_1.SchemaObject & { examples?: unknown[] }
        for (const example of schema.examples ?? []) check(schema, example, `${op.key} ${p.in} ${p.name}`)
      }
      if (op.requestBody) {
        const media = resolveRef<OpenAPIV3_1.RequestBodyObject>(doc, op.requestBody).content['application/json']
        const schema = resolveRef<OpenAPIV3_1.SchemaObject & { examples?: unknown[] }>(doc, media?.schema)
        expect(schema.examples?.length, `${op.key} request example`).toBeGreaterThan(0)
        for (const example of schema.examples ?? []) check(media!.schema, example, `${op.key} request`)
      }
    }
    for (const [name, value] of Object.entries(doc.components?.responses ?? {})) {
      const media = resolveRef<OpenAPIV3_1.ResponseObject>(doc, value).content?.['application/json']
      for (const example of examplesOf(media)) check(media!.schema, example, `components.responses.${name}`)
    }
  })

  it('says which answers carry Retry-After, RateLimit-*, WWW-Authenticate and Idempotent-Replayed', () => {
    const headers = (op: Operation, status: string) =>
      Object.keys(resolveRef<OpenAPIV3_1.ResponseObject>(doc, op.responses?.[status]).headers ?? {}).sort()
    const rateLimit = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']
    for (const op of operationsOf(doc)) {
      expect(headers(op, '503'), op.key).toContain('Retry-After')
      if (op.responses?.['429']) expect(headers(op, '429'), op.key).toEqual(['Retry-After', ...rateLimit].sort())
      if (op.responses?.['401']) expect(headers(op, '401'), op.key).toContain('WWW-Authenticate')
      const success = Object.keys(op.responses ?? {}).find((s) => s.startsWith('2'))!
      if (op.responses?.['429']) expect(headers(op, success), op.key).toEqual(expect.arrayContaining(rateLimit))
    }
    // Every /api operation is limited but one: a waiting room's poll (one Redis command, no read budget spent).
    const unlimited = operationsOf(doc).filter((op) => op.key.includes(' /api/') && !op.responses?.['429'])
    expect(unlimited.map((op) => op.key)).toEqual(['GET /api/products/{productId}/queue/{ticket}'])
    const checkout = operationsOf(doc).find((op) => op.key === 'POST /api/checkout')!
    expect(headers(checkout, '201')).toContain('Idempotent-Replayed')
    expect(headers(checkout, '409')).toContain('Retry-After')
    const key = (checkout.parameters ?? []).map((p) => resolveRef<OpenAPIV3_1.ParameterObject>(doc, p)).find((p) => p.in === 'header')
    expect(key).toMatchObject({ name: 'Idempotency-Key' })
    expect(key?.required).toBeFalsy()
  })

  it('asks for the admin token on product writes, an optional shopper JWT on shopper routes, nothing elsewhere', () => {
    expect(doc.components?.securitySchemes).toMatchObject({
      adminToken: { type: 'http', scheme: 'bearer' },
      shopperJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    })
    const security = Object.fromEntries(operationsOf(doc).map((op) => [op.key, op.security]))
    const shopper = [{}, { shopperJwt: [] }]
    expect(security).toEqual({
      'GET /health': [],
      'GET /api/products': [],
      'POST /api/products': [{ adminToken: [] }],
      'GET /api/products/{productId}': [],
      'PATCH /api/products/{productId}': [{ adminToken: [] }],
      'GET /api/products/{productId}/status': [],
      'POST /api/products/{productId}/queue': shopper,
      'GET /api/products/{productId}/queue/{ticket}': [],
      'POST /api/reserve': shopper,
      'POST /api/reserve/bulk': shopper,
      'DELETE /api/reserve/{userId}/{productId}': shopper,
      'POST /api/checkout': shopper,
      'GET /api/users/{userId}/reservations': shopper,
      'GET /api/users/{userId}/orders': shopper,
    })
  })

  it("takes request schemas from the routes' own zod schemas, whose examples they accept", () => {
    const body = (key: string) => {
      const op = operationsOf(doc).find((o) => o.key === key)!
      return resolveRef<OpenAPIV3_1.RequestBodyObject>(doc, op.requestBody).content['application/json']?.schema
    }
    expect(body('POST /api/products')).toEqual({ $ref: '#/components/schemas/CreateProduct' })
    expect(body('PATCH /api/products/{productId}')).toEqual({ $ref: '#/components/schemas/UpdateProduct' })
    expect(body('POST /api/products/{productId}/queue')).toEqual({ $ref: '#/components/schemas/JoinQueue' })
    expect(body('POST /api/reserve')).toEqual({ $ref: '#/components/schemas/Reserve' })
    expect(body('POST /api/reserve/bulk')).toEqual({ $ref: '#/components/schemas/BulkReserve' })
    expect(body('POST /api/checkout')).toEqual({ $ref: '#/components/schemas/Checkout' })
    for (const schema of [createProductBody, updateProductBody, reserveBody, bulkReserveBody, checkoutBody, joinBody]) {
      const examples = schema.meta()?.examples as unknown[]
      expect(examples.length).toBeGreaterThan(0)
      for (const example of examples) expect(schema.safeParse(example).error).toBeUndefined()
    }
    expect(checkoutHeaders.safeParse({ 'idempotency-key': '4f1c2a9e-7d3b-4b8e-9f61-0c2d5e8a7b10' }).success).toBe(true)
    expect(ordersQuery.safeParse({ limit: '20' }).success).toBe(true)
  })

  it('states ids, money, limit, cursors, the sale window and 405 exactly as the server checks them', () => {
    const schemas = doc.components!.schemas as Record<string, any>
    const op = (key: string) => operationsOf(doc).find((o) => o.key === key)!
    const param = (key: string, name: string) =>
      (op(key).parameters ?? []).map((p) => resolveRef<OpenAPIV3_1.ParameterObject>(doc, p)).find((p) => p.name === name)!.schema as any
    const accepts = (pattern: string, text: string) => new RegExp(pattern, 'u').test(text)

    const id = param('GET /api/products/{productId}', 'productId')
    expect(id.anyOf[0]).toEqual({ type: 'integer', minimum: 1, maximum: 2147483647 })
    expect(id.anyOf[1].type).toBe('string')
    for (const text of ['1', '42', '999999999', '1000000000', '2147483647']) expect(accepts(id.anyOf[1].pattern, text), text).toBe(true)
    for (const text of ['0', '01', '-1', '1.0', '1e3', '2147483648', '9999999999', '21474836470'])
      expect(accepts(id.anyOf[1].pattern, text), text).toBe(false)
    expect(schemas.Reserve.properties.product_id).toMatchObject({ anyOf: id.anyOf })

    const amount = schemas.Checkout.properties.total_amount
    expect(amount.anyOf[0]).toEqual({ type: 'number', minimum: 0, maximum: 1000000000, multipleOf: 0.01 })
    for (const text of ['0', '0.00', '0.5', '19.99', '555555555.55', '999999999.99', '1000000000', '1000000000.00'])
      expect(accepts(amount.anyOf[1].pattern, text), text).toBe(true)
    for (const text of ['1.005', '1000000000.01', '1000000001', '-1', '1e3', '01.00', '.5', '5.'])
      expect(accepts(amount.anyOf[1].pattern, text), text).toBe(false)
    expect(schemas.CreateProduct.properties.price.anyOf[0]).toMatchObject({ anyOf: amount.anyOf })

    const limit = param('GET /api/users/{userId}/orders', 'limit')
    for (let n = -1; n <= 1000; n++) expect(accepts(limit.pattern, String(n)), String(n)).toBe(n >= 1 && n <= 100)
    const cursor = param('GET /api/users/{userId}/orders', 'cursor')
    expect(cursor.maxLength).toBe(200)
    expect(accepts(cursor.pattern, schemas.OrdersPage.examples[0].next_cursor)).toBe(true)
    expect(accepts(cursor.pattern, 'not a cursor')).toBe(false)
    const nextPage = resolveRef<OpenAPIV3_1.ResponseObject>(doc, op('GET /api/users/{userId}/orders').responses!['200']).links?.nextPage
    expect(nextPage).toMatchObject({ operationId: 'listUserOrders', parameters: { cursor: '$response.body#/data/next_cursor' } })

    expect(schemas.CreateProduct.properties.sale_ends_at).toMatchObject({
      'x-after': 'sale_starts_at',
      description: expect.stringContaining('sale_starts_at'),
    })
    expect(schemas.BulkReserve.properties.items).toMatchObject({ 'x-unique-by': 'product_id', minItems: 1, maxItems: 50 })
    expect(doc.info.description).toMatch(/x-after/)

    const notAllowed = resolveRef<OpenAPIV3_1.ResponseObject>(doc, doc.components!.responses!.MethodNotAllowed)
    expect(Object.keys(notAllowed.headers ?? {})).toEqual(['Allow'])
    expect(answersOf(doc, { responses: { 405: notAllowed } } as unknown as Operation)).toEqual({ 405: ['METHOD_NOT_ALLOWED'] })
    expect(doc.info.description).toMatch(/405 `METHOD_NOT_ALLOWED`/)
  })

  it('describes the answers with the types the views write', () => {
    expectTypeOf<z.output<typeof productResponse>>().toEqualTypeOf<ProductView>()
    expectTypeOf<z.output<typeof productStatusResponse>>().toEqualTypeOf<ProductStatusView>()
    expectTypeOf<z.output<typeof holdResponse>>().toEqualTypeOf<HoldView>()
    expectTypeOf<z.output<typeof placeResponse>>().toEqualTypeOf<ReturnType<typeof placeView>>()
    expectTypeOf<z.output<typeof lineStatusResponse>>().toEqualTypeOf<ReturnType<typeof lineStatusView>>()
    expectTypeOf<z.output<typeof releaseResponse>>().toEqualTypeOf<{ released: number }>()
    expectTypeOf<z.output<typeof orderResponse>>().toEqualTypeOf<OrderView>()
    expectTypeOf<z.output<typeof ordersPageResponse>>().toEqualTypeOf<{ orders: OrderView[]; next_cursor: string | null }>()
    expectTypeOf<z.output<typeof healthResponse>['dependencies']['redis']>().toEqualTypeOf<ReturnType<typeof storeHealthView>>()
    expectTypeOf<z.output<typeof errorBody>>().toEqualTypeOf<ErrorBody>()
    expectTypeOf<z.output<ReturnType<typeof successBody<typeof holdResponse>>>>().toEqualTypeOf<SuccessBody<HoldView>>()
  })

  it('comes out the same every time, and is committed as it comes out (else run `npm run openapi`)', async () => {
    expect(await openApiDocument(routesOnly())).toEqual(doc)
    expect(readFileSync(DOCUMENT_FILE, 'utf8'), 'public/api/openapi.json is stale: run `npm run openapi`').toBe(await documentText())
    // A static file of every door, relative to wherever it is served; never in the Worker's bundle.
    expect(doc.servers).toEqual([{ url: '/', description: 'The server this document came from' }])
    expect(STATIC_FILES['/api/openapi.json']).toBe('api/openapi.json')
  })
})

describe('the Postman collection', () => {
  it('is up to date with the document (else run `npm run postman`)', async () => {
    const committed = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8'))
    expect(committed, 'postman/flash-sale-api.json is stale: run `npm run postman`').toEqual(JSON.parse(JSON.stringify(await currentCollection())))
  })

  it('has one request per operation, in a folder per tag, against {{baseUrl}}', () => {
    const collection = postmanCollection(doc)
    expect(collection.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json')
    expect(collection.variable).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'baseUrl', value: 'http://127.0.0.1:3000' }),
        expect.objectContaining({ key: 'adminToken' }),
      ]),
    )
    const requests = collection.item.flatMap((folder) => folder.item.map((item) => ({ folder: folder.name, ...item })))
    const ops = operationsOf(doc)
    expect(requests).toHaveLength(ops.length)
    for (const op of ops) {
      const [method, path] = op.key.split(' ') as [string, string]
      const request = requests.find((r) => r.request.method === method && `/${r.request.url.path.join('/')}` === path.replace(/\{(\w+)\}/g, ':$1'))
      expect(request, op.key).toBeDefined()
      expect(request!.folder).toBe(op.tags![0])
      expect(request!.request.url.raw.startsWith('{{baseUrl}}/')).toBe(true)
      if (op.requestBody) {
        expect(JSON.parse(request!.request.body!.raw), op.key).toEqual(expect.any(Object))
        expect(request!.request.header).toContainEqual({ key: 'Content-Type', value: 'application/json' })
      }
      const admin = op.security?.some((s) => 'adminToken' in s)
      expect(request!.request.auth, op.key).toEqual(
        admin ? { type: 'bearer', bearer: [{ key: 'token', value: '{{adminToken}}', type: 'string' }] } : expect.anything(),
      )
      for (const variable of request!.request.url.variable ?? []) expect(variable.value, `${op.key} :${variable.key}`).not.toBe('')
      // Every request checks its success status and its body.
      const tests = request!.event.filter((e) => e.listen === 'test').flatMap((e) => e.script.exec)
      const success = Object.keys(op.responses ?? {}).find((status) => status.startsWith('2'))
      expect(tests, op.key).toContain(`pm.test('answers ${success}', () => pm.response.to.have.status(${success}))`)
      expect(tests.filter((line) => line.startsWith('pm.test(')).length, op.key).toBeGreaterThanOrEqual(3)
    }
  })

  it('runs from a new product to an order, passing ids on in variables and a new Idempotency-Key per checkout', () => {
    const collection = postmanCollection(doc)
    const requests = collection.item.flatMap((folder) => folder.item)
    const at = (name: string) => requests.findIndex((r) => r.name === name)
    const order = [
      'Create a product',
      'Get a product',
      'Live stock counters',
      'Hold units of a product',
      'Hold several products at once',
      'Cancel a hold',
      'Buy held units',
      "A user's orders",
      "Take a place in a product's waiting room",
      'Where a place in line stands',
    ]
    expect(order.map(at)).toEqual(order.map(at).sort((a, b) => a - b))
    expect(requests.at(-1)!.name).toBe('Where a place in line stands')
    const script = (name: string, listen: 'test' | 'prerequest') =>
      requests[at(name)]!.event.filter((e) => e.listen === listen)
        .flatMap((e) => e.script.exec)
        .join('\n')
    expect(script('Create a product', 'test')).toContain("pm.collectionVariables.set('productId', body.data.id)")
    expect(script('Buy held units', 'test')).toContain("pm.collectionVariables.set('orderId', body.data.order_id)")
    expect(script('Buy held units', 'prerequest')).toContain("pm.collectionVariables.set('idempotencyKey', pm.variables.replaceIn('{{$guid}}'))")
    const checkout = requests[at('Buy held units')]!.request
    expect(checkout.header).toContainEqual(expect.objectContaining({ key: 'Idempotency-Key', value: '{{idempotencyKey}}' }))
    expect(JSON.parse(checkout.body!.raw)).toMatchObject({ user_id: '{{shopper}}', product_id: '{{productId}}' })
    // The waiting room: a line of its own product, its ticket polled until admitted.
    expect(script("Take a place in a product's waiting room", 'prerequest')).toContain("pm.collectionVariables.set('queueProductId'")
    expect(script("Take a place in a product's waiting room", 'test')).toContain("pm.collectionVariables.set('ticket', body.data.ticket)")
    expect(script('Where a place in line stands', 'test')).toContain("pm.collectionVariables.set('admissionToken', body.data.admission_token)")
    const reserve = requests[at('Hold units of a product')]!.request
    expect(reserve.header).toContainEqual(expect.objectContaining({ key: 'X-Admission-Token', value: '{{admissionToken}}', disabled: true }))
    for (const name of ['Get a product', 'Live stock counters']) {
      expect(requests[at(name)]!.request.url.variable).toContainEqual(expect.objectContaining({ key: 'productId', value: '{{productId}}' }))
    }
  })
})

describe('the docs routes', () => {
  it('serve a reference page of the document at /api/docs, through the app', async () => {
    const config = parseConfig({
      UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9',
      UPSTASH_REDIS_REST_TOKEN: 'unused',
      DATABASE_URL: 'postgres://unused:unused@127.0.0.1:9/unused',
      LOG_LEVEL: 'silent',
    })
    const app = createApp(() => edgeDeps(config))

    const page = await app.request('/api/docs')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await page.text()
    expect(html).toContain('data-url="/api/openapi.json"')
    expect(html).toContain('<script')
    expect(html).toContain('Flash Deal API reference')
  })
})
