// Writes postman/flash-sale-api.json, a Postman v2.1 collection made from the
// OpenAPI document of the app: one request per operation, in one folder per
// tag, with the document's examples as bodies and parameters.
//
//   npm run postman
//
// test/node/openapi.test.ts fails when the committed file is stale.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { OpenAPIV3_1 } from 'openapi-types'
import { createApp } from '../src/app'
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

export interface PostmanItem {
  name: string
  request: PostmanRequest
  response: Json[]
  event?: { listen: 'test'; script: { type: 'text/javascript'; exec: string[] } }[]
}

/**
 * The waiting room's signed tokens (`x-credential` in the document) cannot be
 * made up: their parameters take collection variables, which the answers of
 * the operation that gives them fill in (a test script).
 */
const CREDENTIALS: Record<string, { variable: string; from: string; field: string }> = {
  ticket: { variable: 'ticket', from: 'joinQueue', field: 'ticket' },
  'x-admission-token': { variable: 'admissionToken', from: 'getQueueStatus', field: 'admission_token' },
}

export interface PostmanCollection {
  info: { name: string; description: string; schema: string }
  auth: Json
  variable: PostmanVariable[]
  item: { name: string; description?: string; item: PostmanItem[] }[]
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
  const params = (op.parameters ?? []).map((p) => deref<OpenAPIV3_1.ParameterObject>(doc, p))
  const example = (p: OpenAPIV3_1.ParameterObject) => asText(p.example ?? schemaExample(doc, p.schema))
  const credential = (p: OpenAPIV3_1.ParameterObject) => CREDENTIALS[p.name.toLowerCase()]
  const variable = (p: OpenAPIV3_1.ParameterObject): PostmanVariable => {
    const from = credential(p)
    return {
      key: p.name,
      value: from ? `{{${from.variable}}}` : example(p),
      ...(p.description ? { description: p.description } : {}),
      // Sent only once there is one to send (a product with a waiting room).
      ...(from && p.in === 'header' ? { disabled: true } : {}),
    }
  }

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

  const header: PostmanVariable[] = params
    .filter((p) => p.in === 'header')
    // A fresh key per send; resend with the same key to see a replay.
    .map((p) => (p.name.toLowerCase() === 'idempotency-key' ? { ...variable(p), value: '{{$guid}}' } : variable(p)))
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
            raw: JSON.stringify(json.example ?? schemaExample(doc, json.schema) ?? {}, null, 2),
            options: { raw: { language: 'json' as const } },
          },
        }
      : {}),
    ...(op.description ? { description: op.description } : {}),
  }

  // The success answer as a saved example response.
  const response: Json[] = []
  for (const [status, value] of Object.entries(op.responses ?? {})) {
    if (!status.startsWith('2')) continue
    const answer = deref<OpenAPIV3_1.ResponseObject>(doc, value)
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
  const gives = Object.values(CREDENTIALS).filter((c) => c.from === op.operationId)
  const event: PostmanItem['event'] = gives.length
    ? [
        {
          listen: 'test',
          script: {
            type: 'text/javascript',
            exec: [
              'const data = pm.response.json().data || {}',
              ...gives.map((c) => `if (data.${c.field}) pm.collectionVariables.set('${c.variable}', data.${c.field})`),
            ],
          },
        },
      ]
    : undefined
  return { name: op.summary ?? op.operationId ?? `${method.toUpperCase()} ${path}`, request, response, ...(event ? { event } : {}) }
}

/** The collection of an OpenAPI document: one folder per tag, in the document's tag order. */
export function postmanCollection(doc: OpenAPIV3_1.Document): PostmanCollection {
  const folders = new Map<string, { name: string; description?: string; item: PostmanItem[] }>()
  for (const tag of doc.tags ?? []) folders.set(tag.name, { name: tag.name, ...(tag.description ? { description: tag.description } : {}), item: [] })
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
      description: `${doc.info.description ?? ''}\n\nMade from the OpenAPI document (GET /api/openapi.json) by \`npm run postman\`. Set \`baseUrl\`, \`adminToken\` (product writes) and \`shopperToken\` (only when the server checks shopper JWTs); \`ticket\` and \`admissionToken\` are filled in by the waiting room's answers.`,
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
      { key: 'ticket', value: '', type: 'string', description: 'Set by "Take a place in a product\'s waiting room": the ticket to poll' },
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
