import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import type { OpenAPIV3_1 } from 'openapi-types'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DOCUMENT_FILE } from '../../scripts/openapi'
import { TEST_ADMIN_TOKEN } from '../support/client'
import { type JsonSchema, type Path, SchemaTools } from '../support/json-schema-arbitrary'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { type ApiRequest, LinkPool, operationsOf, RequestGenerator } from '../support/openapi-requests'

// Text Postgres cannot store — U+0000, half a surrogate pair — in every text
// field of every request the document describes: refused by the document and
// answered 400 VALIDATION_ERROR naming the field, before any store is touched.

let h: NodeHarness
let doc: OpenAPIV3_1.Document
let tools: SchemaTools
let generator: RequestGenerator

beforeAll(async () => {
  h = await startNodeHarness('text')
  doc = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8'))
  tools = new SchemaTools(doc as unknown as JsonSchema, { pool: [] })
  generator = new RequestGenerator(doc, tools, { credentials: { adminToken: TEST_ADMIN_TOKEN }, links: new LinkPool(operationsOf(doc)) })
})
afterAll(() => h?.close())

/** Every place in a body schema that takes a string, with that place's schema. */
function textFields(schema: JsonSchema, path: Path = []): { path: Path; schema: JsonSchema }[] {
  const branches = (s: JsonSchema): JsonSchema[] => {
    const resolved = tools.resolve(s)
    return resolved.anyOf ? resolved.anyOf.flatMap(branches) : [resolved]
  }
  const here = branches(schema).some((b) => [b.type].flat().includes('string')) ? [{ path, schema }] : []
  const inside = branches(schema).flatMap((b) => [
    ...Object.entries((b.properties ?? {}) as Record<string, JsonSchema>).flatMap(([key, child]) => textFields(child, [...path, key])),
    ...(b.items ? textFields(b.items, [...path, 0]) : []),
  ])
  return [...here, ...inside]
}

function setAt(value: unknown, path: Path, text: string): unknown {
  if (path.length === 0) return text
  const [key, ...rest] = path
  const container = (value ?? (typeof key === 'number' ? [] : {})) as Record<string | number, unknown>
  const copy = (Array.isArray(container) ? [...container] : { ...container }) as Record<string | number, unknown>
  copy[key!] = setAt(container[key!], rest, text)
  return copy
}

const DIRTY_BODY = ['a\u0000b', '\u0000', 'a\ud800b', 'a\udfff', '\udbff']
// A URL carries UTF-8: a lone surrogate has no encoding, U+0000 is %00.
const DIRTY_URL = ['a\u0000b', '\u0000']

async function expectRefused(req: ApiRequest, field: string) {
  const res = await h.api.raw(req.url, { method: req.method, headers: req.headers, body: req.body })
  const what = `${req.method} ${req.url} ${req.body ?? ''} → ${res.status} ${JSON.stringify(res.body)}`
  expect(res.status, what).toBe(400)
  expect(res.body.code, what).toBe('VALIDATION_ERROR')
  expect(
    (res.body.details as { field: string }[]).map((d) => d.field),
    what,
  ).toContain(field)
}

describe('U+0000 and unpaired surrogates', () => {
  it('are refused by the document and by the API in every text field of every body', async () => {
    let checked = 0
    for (const op of operationsOf(doc).filter((o) => o.body)) {
      const [base] = fc.sample(generator.valid(op), { numRuns: 1, seed: 42 })
      for (const field of textFields(op.body!)) {
        for (const dirty of DIRTY_BODY) {
          expect(tools.accepts(field.schema, dirty), `${op.id} ${field.path.join('.')}`).toBe(false)
          await expectRefused({ ...base!, body: JSON.stringify(setAt(JSON.parse(base!.body!), field.path, dirty)) }, field.path.join('.'))
          checked++
        }
      }
    }
    // name, description, user_id, product_id (string form), total_amount, price, sale_starts_at, sale_ends_at …
    expect(checked).toBeGreaterThanOrEqual(12 * DIRTY_BODY.length)
  })

  it('are refused in every path and query parameter', async () => {
    let checked = 0
    for (const op of operationsOf(doc)) {
      const [base] = fc.sample(generator.valid(op), { numRuns: 1, seed: 42 })
      for (const param of op.parameters.filter((p) => p.in === 'path' || p.in === 'query')) {
        for (const dirty of DIRTY_URL) {
          expect(tools.accepts(param.schema as JsonSchema, dirty), `${op.id} ${param.name}`).toBe(false)
          const url =
            param.in === 'path'
              ? base!.url.replace(/^[^?]*/, (path) => {
                  const segments = op.path.split('/')
                  return path
                    .split('/')
                    .map((segment, i) => (segments[i] === `{${param.name}}` ? encodeURIComponent(dirty) : segment))
                    .join('/')
                })
              : `${base!.url.split('?')[0]}?${new URLSearchParams({ [param.name]: dirty })}`
          await expectRefused({ ...base!, url }, param.name)
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8 * DIRTY_URL.length)
  })

  it('cannot be sent in a header at all (fetch refuses), so the stored Idempotency-Key is printable ASCII by its pattern', () => {
    for (const dirty of [...DIRTY_BODY, 'é\u0000']) expect(() => new Headers({ 'idempotency-key': dirty })).toThrow()
    const checkout = operationsOf(doc).find((op) => op.parameters.some((p) => p.in === 'header'))!
    const header = checkout.parameters.find((p) => p.in === 'header')!
    expect(tools.accepts(header.schema as JsonSchema, 'ключ')).toBe(false)
  })
})
