import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import type { OpenAPIV3_1 } from 'openapi-types'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DOCUMENT_FILE } from '../../scripts/openapi'
import { TEST_ADMIN_TOKEN, type Reply } from '../support/client'
import { type JsonSchema, SchemaTools } from '../support/json-schema-arbitrary'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { type ApiRequest, LinkPool, operationsOf, RequestGenerator } from '../support/openapi-requests'

// The API against its own OpenAPI document (/api/openapi.json): requests
// generated from the document alone — valid ones, and ones refused for one
// reason — sent to the app over the real Redis and Postgres; every answer must
// be a status the document lists for the operation with a body its schema
// accepts, and never a 5xx. FC_SEED=<seed> replays a run;
// OPENAPI_PROPERTY_RUNS sets how many requests.

const RUNS = Number(process.env.OPENAPI_PROPERTY_RUNS ?? 2_200)
const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31))
const USERS = ['alice', 'bob', 'carol']

let h: NodeHarness
let doc: OpenAPIV3_1.Document
const productIds: number[] = []
/** Open A, Open B, Priced (any shopper may hold them) and Queued (its line can be joined): product id -> the PATCH that makes it so again */
const restore = new Map<number, Record<string, unknown>>()

beforeAll(async () => {
  h = await startNodeHarness('oaprop')
  const far = new Date(Date.now() + 365 * 86_400_000).toISOString()
  const products = [
    { name: 'Open A', total_stock: 1_000_000 },
    { name: 'Open B', total_stock: 1_000_000 },
    { name: 'Priced', total_stock: 1_000_000, price: '1.00' },
    { name: 'Limited', total_stock: 1_000_000, max_per_user: 2 },
    { name: 'Later', total_stock: 100, sale_starts_at: far },
    { name: 'Scarce', total_stock: 3 },
    { name: 'Queued', total_stock: 1_000_000, waiting_room: { admit_per_second: 10_000 } },
  ]
  for (const product of products) {
    const res = await h.api.call('POST', '/api/products', product)
    expect(res.status).toBe(201)
    productIds.push(Number(res.body.data.id))
  }
  // orders to page through, so that next_cursor (and the link to the next page) has values
  for (let i = 0; i < 3; i++) {
    expect((await h.api.call('POST', '/api/reserve', { user_id: 'alice', product_id: productIds[0], quantity: 1 })).status).toBe(201)
    expect((await h.api.call('POST', '/api/checkout', { user_id: 'alice', product_id: productIds[0], quantity: 1, total_amount: 1 })).status).toBe(
      201,
    )
  }
  for (const i of [0, 1, 2]) restore.set(productIds[i]!, { total_stock: 1_000_000, waiting_room: null })
  restore.set(productIds[6]!, { total_stock: 1_000_000, waiting_room: products[6]!.waiting_room })
  doc = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8'))
}, 60_000)
afterAll(() => h?.close())

/** What a request was and what came back, for a failure message. */
const show = (req: ApiRequest, res: Reply) =>
  `${req.kind}${req.change ? ` (${req.change})` : ''}: ${req.method} ${req.url} ${req.body?.slice(0, 300) ?? ''}\n→ ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`

function responseOf(req: ApiRequest, status: number): OpenAPIV3_1.ResponseObject | undefined {
  const listed = req.kind === 'method' ? doc.components?.responses?.MethodNotAllowed : req.operation.spec.responses?.[String(status)]
  if (req.kind === 'method' && status !== 405) return undefined
  if (listed && '$ref' in listed) {
    const name = String(listed.$ref).split('/').pop()!
    return doc.components?.responses?.[name] as OpenAPIV3_1.ResponseObject
  }
  return listed as OpenAPIV3_1.ResponseObject | undefined
}

it(`every answer to ${RUNS} generated requests is one the document lists, with a body its schema accepts`, { timeout: 180_000 }, async () => {
  // The products the fixture keeps usable (restore: Open A, Open B, Priced, Queued) are in the pool
  // more often than those that refuse: a bulk reserve succeeds only when every item is one of them,
  // and every operation must succeed at least once.
  // Queued, the one line, counts thrice: joining any other product is refused.
  const usable = [...restore.keys(), productIds[6]!, productIds[6]!]
  const tools = new SchemaTools(doc as unknown as JsonSchema, {
    pool: [
      ...productIds,
      ...productIds.map(String),
      ...usable,
      ...usable,
      ...usable.map(String),
      ...usable.map(String),
      1_000_000,
      ...USERS,
      'key-1',
      'key-2',
    ],
  })
  const links = new LinkPool(operationsOf(doc))
  const generator = new RequestGenerator(doc, tools, { credentials: { adminToken: TEST_ADMIN_TOKEN }, links })

  const answers = new Map<string, Map<number, number>>()
  const codes = new Map<string, Set<string>>()
  let sent = 0
  const started = performance.now()

  const property = fc.asyncProperty(generator.requests(), async (req) => {
    const res = await h.api.raw(req.url, { method: req.method, headers: req.headers, body: req.body })
    sent++
    const byStatus = answers.get(req.operation.id) ?? new Map<number, number>()
    byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1)
    answers.set(req.operation.id, byStatus)
    if (res.body?.code) codes.set(req.operation.id, (codes.get(req.operation.id) ?? new Set()).add(`${req.kind} ${res.body.code}`))
    links.harvest(req.operation, res.status, res.body, req.url)
    // A generated PATCH may give an open product a waiting room, take the line's away, or leave little
    // stock; such a product is put back as it was made, so that every operation can still succeed.
    const patched = req.operation.id === 'setProductStock' && res.status === 200 ? restore.get(Number(res.body.data.id)) : undefined
    if (patched) expect((await h.api.call('PATCH', `/api/products/${res.body.data.id}`, patched)).status).toBe(200)

    const what = show(req, res)
    expect(res.status, what).toBeLessThan(500)
    const response = responseOf(req, res.status)
    expect(response, `${what}\nthe document lists no ${res.status} for ${req.operation.id}`).toBeDefined()
    const schema = response!.content?.['application/json']?.schema
    expect(schema, what).toBeDefined()
    expect(tools.accepts(schema as JsonSchema, res.body), `${what}\nthe body does not fit the ${res.status} schema`).toBe(true)

    switch (req.kind) {
      case 'valid':
        // a request the document allows is refused only for the state of the data, never for its form
        expect([400, 401, 403, 405, 413, 415], what).not.toContain(res.status)
        break
      case 'refused':
        expect(res.status, what).toBe(400)
        expect(res.body.code, what).toBe('VALIDATION_ERROR')
        expect(
          (res.body.details as { field: string }[]).map((d) => d.field.toLowerCase()),
          `${what}\nthe 400 should name ${req.field}`,
        ).toContain(req.field!.toLowerCase())
        break
      case 'transport':
      case 'auth':
        expect(req.expected, what).toContainEqual({ status: res.status, code: res.body.code })
        break
      case 'method':
        expect(res.status, what).toBe(405)
        expect(res.headers.get('allow')?.split(', ').sort(), what).toEqual([...req.allow!].sort())
        break
    }
  })

  try {
    await fc.assert(property, { numRuns: RUNS, seed: SEED })
  } catch (err) {
    console.error(`openapi property test failed; replay with FC_SEED=${SEED}`)
    throw err
  }
  const seconds = (performance.now() - started) / 1000

  const table = [...answers]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([op, byStatus]) =>
        `${op.padEnd(22)} ${[...byStatus]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
    )
  console.log(`openapi property: ${sent} requests in ${seconds.toFixed(1)} s (seed ${SEED})\n${table.join('\n')}`)

  expect(sent).toBe(RUNS)
  if (!process.env.OPENAPI_PROPERTY_RUNS) expect(sent, 'the CI run sends at least 2,000 requests').toBeGreaterThanOrEqual(2_000)
  // every operation met, and its success answered, not just its refusals
  for (const op of operationsOf(doc)) {
    const statuses = [...(answers.get(op.id)?.keys() ?? [])]
    expect(
      statuses.some((s) => s >= 200 && s < 300),
      `${op.id} never succeeded (seed ${SEED}): ${statuses}; ${[...(codes.get(op.id) ?? [])].join(', ')}`,
    ).toBe(true)
  }
})
