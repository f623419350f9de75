import fc from 'fast-check'
import type { OpenAPIV3_1 } from 'openapi-types'
import { MAX_BODY_BYTES } from '../../src/middleware/json-body'
import { isCredential, type JsonSchema, nearMisses, type Path, type SchemaTools } from './json-schema-arbitrary'

// Requests for every operation of an OpenAPI 3.1 document, generated from the
// document alone: valid ones, and ones refused for one stated reason.

const HTTP_METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const

export interface Operation {
  id: string
  method: string
  /** the path template, `/api/products/{productId}` */
  path: string
  spec: OpenAPIV3_1.OperationObject
  parameters: OpenAPIV3_1.ParameterObject[]
  body?: JsonSchema
}

export function operationsOf(doc: OpenAPIV3_1.Document): Operation[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const spec = item?.[method]
      if (!spec) return []
      const body = (spec.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content['application/json']?.schema
      return [
        {
          id: spec.operationId ?? `${method} ${path}`,
          method: method.toUpperCase(),
          path,
          spec,
          parameters: (spec.parameters ?? []) as OpenAPIV3_1.ParameterObject[],
          ...(body ? { body: body as JsonSchema } : {}),
        },
      ]
    }),
  )
}

/**
 * What a request is, and so what its answer must be:
 * - valid: everything as the document says → never refused for its form (400, 401, 403, 413, 415)
 * - refused: one parameter or body field the document refuses → 400 VALIDATION_ERROR naming `field`
 * - transport / auth: a body that is not JSON, too large …, or a missing or wrong credential → one of `expected`
 * - method: a path of the document asked with a method it does not list → 405 with `allow`
 */
export type Kind = 'valid' | 'refused' | 'transport' | 'auth' | 'method'

export interface ApiRequest {
  kind: Kind
  /** what was changed from a valid request, for people */
  change?: string
  operation: Operation
  method: string
  url: string
  headers: Record<string, string>
  body?: string
  field?: string
  expected?: { status: number; code: string }[]
  allow?: string[]
  [fc.toStringMethod]?: () => string
}

/**
 * Values the document's links carry from one answer into a later request
 * (`$response.body#/data/next_cursor` → `cursor`, and `$request.path.productId`
 * of the request answered): a parameter fed by a link takes, when valid, only
 * values the API gave.
 */
export class LinkPool {
  private readonly sources: { from: string; status: string; pointer?: string; pathParam?: string; to: string; param: string }[] = []
  private readonly pools = new Map<string, unknown[]>()

  constructor(operations: Operation[]) {
    for (const op of operations) {
      for (const [status, response] of Object.entries(op.spec.responses ?? {})) {
        for (const link of Object.values((response as OpenAPIV3_1.ResponseObject).links ?? {}) as OpenAPIV3_1.LinkObject[]) {
          for (const [param, expression] of Object.entries(link.parameters ?? {})) {
            const body = /^\$response\.body#(\/.*)$/.exec(String(expression))
            const path = /^\$request\.path\.(\w+)$/.exec(String(expression))
            if (!link.operationId || !(body || path)) continue
            this.sources.push({ from: op.id, status, pointer: body?.[1], pathParam: path?.[1], to: link.operationId, param })
          }
        }
      }
    }
  }

  feeds(operationId: string, param: string): boolean {
    return this.sources.some((s) => s.to === operationId && s.param === param)
  }

  values(operationId: string, param: string): unknown[] {
    return this.pools.get(`${operationId} ${param}`) ?? []
  }

  /** Keeps what the links of this answer carry (`url`: the request's, for `$request.path` values). */
  harvest(op: Operation, status: number, body: unknown, url: string) {
    for (const source of this.sources.filter((s) => s.from === op.id && s.status === String(status))) {
      const value = source.pathParam
        ? pathParams(op.path, url)[source.pathParam]
        : source
            .pointer!.slice(1)
            .split('/')
            .reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], body)
      if (value === null || value === undefined) continue
      const pool = this.pools.get(`${source.to} ${source.param}`) ?? []
      if (!pool.includes(value)) pool.push(value)
      this.pools.set(`${source.to} ${source.param}`, pool.slice(-50))
    }
  }
}

/** The path parameters of `url` by its operation's template (`/api/products/{productId}`). */
function pathParams(template: string, url: string): Record<string, string> {
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)
  const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '([^/]+)')}$`)
  const values = pattern.exec(new URL(url, 'http://api.test').pathname)?.slice(1) ?? []
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(values[i] ?? '')]))
}

/** Whether an HTTP request can carry `text` there at all. */
function carriable(where: string, text: string): boolean {
  let wellFormed = true
  try {
    encodeURIComponent(text)
  } catch {
    wellFormed = false
  }
  if (where === 'path') return wellFormed && text !== '' && text !== '.' && text !== '..'
  if (where === 'query') return wellFormed
  // fetch's Headers: bytes, no control characters, surrounding white space trimmed
  return /^(?:[\x21-\x7e\x80-\xff](?:[\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/.test(text)
}

interface Parts {
  params: Record<string, string | undefined>
  body?: unknown
}

export interface RequestGeneratorOptions {
  /** a credential for each security scheme the test can satisfy: scheme name → bearer token */
  credentials: Record<string, string>
  links: LinkPool
}

export class RequestGenerator {
  private readonly operations: Operation[]

  constructor(
    private readonly doc: OpenAPIV3_1.Document,
    private readonly tools: SchemaTools,
    private readonly options: RequestGeneratorOptions,
  ) {
    this.operations = operationsOf(doc)
  }

  /** Requests of every kind for every operation. */
  requests(): fc.Arbitrary<ApiRequest> {
    return fc.oneof(
      ...this.operations.map((op) => {
        const kinds: fc.WeightedArbitrary<ApiRequest>[] = [{ arbitrary: this.valid(op), weight: 10 }]
        const refused = this.refused(op)
        if (refused) kinds.push({ arbitrary: refused, weight: 7 })
        const wrongMethod = this.wrongMethod(op)
        if (wrongMethod) kinds.push({ arbitrary: wrongMethod, weight: 1 })
        if (op.body) kinds.push({ arbitrary: this.transport(op), weight: 1 })
        if (this.needsCredential(op)) kinds.push({ arbitrary: this.auth(op), weight: 1 })
        return fc.oneof(...kinds)
      }),
    )
  }

  private security(op: Operation): OpenAPIV3_1.SecurityRequirementObject[] {
    return op.spec.security ?? this.doc.security ?? []
  }

  private needsCredential(op: Operation): boolean {
    const requirements = this.security(op)
    return requirements.length > 0 && requirements.every((r) => Object.keys(r).length > 0)
  }

  /** Authorization for the first security requirement the test can satisfy. */
  private authorization(op: Operation): Record<string, string> {
    const requirements = this.security(op)
    if (requirements.length === 0) return {}
    const usable = requirements.find((r) => Object.keys(r).every((scheme) => scheme in this.options.credentials))
    if (!usable) throw new Error(`${op.id}: no credentials for ${JSON.stringify(requirements)}`)
    const scheme = Object.keys(usable)[0]
    return scheme ? { authorization: `Bearer ${this.options.credentials[scheme]}` } : {}
  }

  private validText(param: OpenAPIV3_1.ParameterObject): fc.Arbitrary<string> {
    const schema = param.schema as JsonSchema
    return this.tools
      .valid(schema)
      .map((v) => String(v))
      .filter((text) => this.tools.accepts(schema, text) && carriable(param.in, text))
  }

  private validParam(op: Operation, param: OpenAPIV3_1.ParameterObject): fc.Arbitrary<string | undefined> {
    if (!param.required && isCredential(param.schema as JsonSchema)) return fc.constant(undefined)
    if (this.options.links.feeds(op.id, param.name)) {
      // A required one the API has not given yet: a valid form of one (refused for what it is, not its form).
      const fed = fc.tuple(fc.nat(), param.required ? this.validText(param) : fc.constant(undefined)).map(([i, made]) => {
        const values = this.options.links.values(op.id, param.name)
        return values.length ? String(values[i % values.length]) : made
      })
      return param.required ? fed : fc.option(fed, { nil: undefined })
    }
    return param.required ? this.validText(param) : fc.option(this.validText(param), { nil: undefined })
  }

  private refusedParam(param: OpenAPIV3_1.ParameterObject): fc.Arbitrary<string> {
    const schema = param.schema as JsonSchema
    const valid = this.tools.valid(schema).map((v) => String(v))
    return fc
      .oneof(
        nearMisses(valid),
        fc.constantFrom('', ' ', '\u0000', 'a\u0000', '0', '-1', '1.5', 'x'.repeat(300)),
        fc.string({ unit: 'binary', maxLength: 20 }),
      )
      .filter((text) => !this.tools.accepts(schema, text) && carriable(param.in, text))
  }

  private validParts(op: Operation): fc.Arbitrary<Parts> {
    const params = fc.record(Object.fromEntries(op.parameters.map((p) => [p.name, this.validParam(op, p)])))
    return op.body ? fc.record({ params, body: this.tools.valid(op.body) }) : fc.record({ params })
  }

  private build(op: Operation, kind: Kind, parts: Parts, extra: Partial<ApiRequest> = {}): ApiRequest {
    const value = (name: string) => parts.params[name]
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(value(name) ?? ''))
    const query = new URLSearchParams()
    const headers: Record<string, string> = { ...this.authorization(op) }
    for (const param of op.parameters) {
      const v = value(param.name)
      if (v === undefined) continue
      if (param.in === 'query') query.append(param.name, v)
      if (param.in === 'header') headers[param.name.toLowerCase()] = v
    }
    if (op.body) headers['content-type'] = 'application/json'
    return {
      // how fast-check shows a counterexample: the request, not the whole operation
      [fc.toStringMethod]() {
        return `${this.kind}${this.change ? ` (${this.change})` : ''}: ${this.method} ${this.url} ${JSON.stringify(this.headers)} ${this.body?.slice(0, 500) ?? ''}`
      },
      kind,
      operation: op,
      method: op.method,
      url: query.size ? `${path}?${query}` : path,
      headers,
      ...(op.body ? { body: JSON.stringify(parts.body) } : {}),
      ...extra,
    }
  }

  valid(op: Operation): fc.Arbitrary<ApiRequest> {
    return this.validParts(op).map((parts) => this.build(op, 'valid', parts))
  }

  /** A valid request but for one parameter or one body field (none for an operation that takes neither). */
  refused(op: Operation): fc.Arbitrary<ApiRequest> | undefined {
    const options = op.parameters.map((param) =>
      fc.tuple(this.validParts(op), this.refusedParam(param)).map(([parts, text]) =>
        this.build(
          op,
          'refused',
          { ...parts, params: { ...parts.params, [param.name]: text } },
          {
            field: param.in === 'header' ? param.name.toLowerCase() : param.name,
            change: `${param.in} ${param.name} = ${JSON.stringify(text)}`,
          },
        ),
      ),
    )
    if (op.body) {
      options.push(
        fc
          .tuple(this.validParts(op), this.tools.refused(op.body))
          .map(([parts, refused]) =>
            this.build(
              op,
              'refused',
              { ...parts, body: refused.value },
              { field: bodyField(refused.path), change: `body at ${bodyField(refused.path)}` },
            ),
          ),
      )
    }
    return options.length ? fc.oneof(...options) : undefined
  }

  /** A body that is not JSON, not said to be JSON, or too large. */
  private transport(op: Operation): fc.Arbitrary<ApiRequest> {
    return fc.tuple(this.validParts(op), fc.constantFrom('malformed', 'empty', 'text/plain', 'no type', 'too large')).map(([parts, change]) => {
      const request = this.build(op, 'transport', parts, { change })
      const json = request.body!
      switch (change) {
        case 'malformed':
          return { ...request, body: json.slice(0, -1), expected: [{ status: 400, code: 'MALFORMED_JSON' }] }
        case 'empty':
          return { ...request, body: '', expected: [{ status: 400, code: 'MALFORMED_JSON' }] }
        case 'text/plain':
          return {
            ...request,
            headers: { ...request.headers, 'content-type': 'text/plain' },
            expected: [{ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }],
          }
        case 'no type': {
          const { 'content-type': _, ...headers } = request.headers
          return { ...request, headers, expected: [{ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }] }
        }
        default:
          return { ...request, body: json + ' '.repeat(MAX_BODY_BYTES), expected: [{ status: 413, code: 'PAYLOAD_TOO_LARGE' }] }
      }
    })
  }

  /** No credential, or a wrong one, where one is needed. */
  private auth(op: Operation): fc.Arbitrary<ApiRequest> {
    return fc.tuple(this.validParts(op), fc.boolean()).map(([parts, missing]) => {
      const request = this.build(op, 'auth', parts)
      const { authorization: _, ...headers } = request.headers
      return missing
        ? { ...request, headers, change: 'no credential', expected: [{ status: 401, code: 'UNAUTHORIZED' }] }
        : {
            ...request,
            headers: { ...headers, authorization: 'Bearer not-the-token' },
            change: 'wrong credential',
            expected: [
              { status: 401, code: 'UNAUTHORIZED' },
              { status: 403, code: 'FORBIDDEN' },
            ],
          }
    })
  }

  /** The operation's path asked with a method the document does not list for it. */
  private wrongMethod(op: Operation): fc.Arbitrary<ApiRequest> | undefined {
    const item = this.doc.paths![op.path]!
    const listed = HTTP_METHODS.filter((m) => item[m]).map((m) => m.toUpperCase())
    const allow = listed.includes('GET') ? [...listed, 'HEAD'] : listed
    const others = HTTP_METHODS.map((m) => m.toUpperCase()).filter((m) => !listed.includes(m))
    if (others.length === 0) return undefined
    return fc.tuple(this.validParts(op), fc.constantFrom(...others)).map(([parts, method]) => {
      const { body: _, ...request } = this.build(op, 'method', parts)
      const { 'content-type': __, ...headers } = request.headers
      return { ...request, headers, method, change: `${method} instead of ${op.method}`, allow }
    })
  }
}

/** Where the app's validator reports a body problem: the dotted path, or `json` for the body itself. */
const bodyField = (path: Path) => (path.length ? path.join('.') : 'json')
