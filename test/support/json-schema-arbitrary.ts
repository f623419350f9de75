import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import fc from 'fast-check'

// fast-check arbitraries for the JSON Schema (2020-12) subset the API's OpenAPI
// document uses in requests, plus the document's three extension keywords.
// A keyword outside the subset throws: a generator that silently ignored a new
// constraint would send "valid" requests the document does not allow.

export type JsonSchema = { [keyword: string]: any }

/** Where in a value a problem is: property names and array indexes. */
export type Path = (string | number)[]

/** A value its schema refuses, and where the problem is. */
export interface Refused {
  value: unknown
  path: Path
}

const ANNOTATIONS = new Set(['description', 'examples', 'example', 'default', 'title', 'deprecated', 'readOnly', 'writeOnly', '$schema', 'id'])
const SUBSET = new Set([
  ...ANNOTATIONS,
  ...['$ref', 'type', 'const', 'enum', 'anyOf', 'allOf'],
  ...['properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems'],
  ...['minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum', 'multipleOf'],
  ...['x-after', 'x-unique-by', 'x-credential'],
])

/**
 * A signed token the API gives (`x-credential: true`): a valid request never
 * carries one made up, so valid values leave an optional one out; refused
 * values still try every form it does not have.
 */
export const isCredential = (schema: JsonSchema | undefined) => schema?.['x-credential'] === true

/** A decimal number's text (String(n) of a JSON number) → mantissa × 10^exponent, exactly. */
function decimal(n: number): { mantissa: bigint; exponent: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(n))
  if (!m) throw new Error(`not a finite number: ${n}`)
  const fraction = m[3] ?? ''
  return { mantissa: BigInt(`${m[1]}${m[2]}${fraction}`), exponent: Number(m[4] ?? 0) - fraction.length }
}

/** multipleOf on the decimal the client sends (JSON.stringify writes String(n)), not on binary floats. */
function isDecimalMultiple(value: number, of: number): boolean {
  const x = decimal(value)
  const m = decimal(of)
  const e = Math.min(x.exponent, m.exponent)
  const scaled = (d: { mantissa: bigint; exponent: number }) => d.mantissa * 10n ** BigInt(d.exponent - e)
  return scaled(x) % scaled(m) === 0n
}

/** `instant` written as RFC 3339 at `minutes` from UTC, with `digits` fractional digits (Z when UTC and `z`). */
export function rfc3339(instant: Date, minutes: number, digits: number, z = true): string {
  const local = new Date(instant.getTime() + minutes * 60_000).toISOString().slice(0, 19)
  const fraction = digits ? `.${String(instant.getUTCMilliseconds()).padStart(3, '0').padEnd(digits, '0').slice(0, digits)}` : ''
  const abs = Math.abs(minutes)
  const zone =
    minutes === 0 && z ? 'Z' : `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  return `${local}${fraction}${zone}`
}

const dateTime = fc
  .tuple(
    fc.date({ min: new Date('0900-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }),
    fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
    fc.integer({ min: 0, max: 9 }),
    fc.boolean(),
  )
  .map(([instant, minutes, digits, z]) => rfc3339(instant, minutes, digits, z))

/** Values of every JSON type: the raw material of wrong-type refusals. */
const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, 1e21, '', 'x', '1', [], [1], {}, { a: 1 }]

/** Single-character edits of a string: near misses of a valid value. */
export function nearMisses(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const char = fc.oneof(
    fc.constantFrom('\u0000', '\ud800', '\udfff', ' ', '\n', '.', '-', '0', '9', 'e', '+', '/', ':', 'Z'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  )
  return fc.tuple(valid, fc.nat(), char, fc.constantFrom('insert', 'replace', 'delete', 'double')).map(([s, at, c, edit]) => {
    const i = s.length ? at % s.length : 0
    switch (edit) {
      case 'insert':
        return s.slice(0, i) + c + s.slice(i)
      case 'replace':
        return s.slice(0, i) + c + s.slice(i + 1)
      case 'delete':
        return s.slice(0, i) + s.slice(i + 1)
      default:
        return s + s
    }
  })
}

const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : [])

export interface SchemaToolsOptions {
  /** Values the generators prefer wherever the schema accepts them (real ids, known users …). */
  pool: unknown[]
}

/**
 * Valid and refused values of the schemas of one OpenAPI 3.1 document
 * (`$ref`s resolve inside it). Validity is ajv's, with the extension keywords
 * and an exact decimal multipleOf.
 */
export class SchemaTools {
  private readonly ajv: Ajv2020
  private readonly compiled = new WeakMap<object, ValidateFunction>()
  private readonly validMemo = new WeakMap<object, fc.Arbitrary<unknown>>()

  constructor(
    private readonly doc: JsonSchema,
    private readonly options: SchemaToolsOptions,
  ) {
    this.ajv = new Ajv2020({ strict: false, allErrors: false })
    addFormats(this.ajv)
    this.ajv.removeKeyword('multipleOf')
    this.ajv.addKeyword({
      keyword: 'multipleOf',
      type: 'number',
      schemaType: 'number',
      validate: (of: number, value: number) => isDecimalMultiple(value, of),
    })
    this.ajv.addKeyword({
      keyword: 'x-after',
      schemaType: 'string',
      validate: (sibling: string, value: unknown, _schema?: unknown, data?: { parentData?: Record<string, unknown> }) => {
        const other = data?.parentData?.[sibling]
        return value == null || other == null || Date.parse(String(value)) > Date.parse(String(other))
      },
    })
    this.ajv.addKeyword({ keyword: 'x-credential', schemaType: 'boolean' })
    this.ajv.addKeyword({
      keyword: 'x-unique-by',
      type: 'array',
      schemaType: 'string',
      validate: (key: string, items: Record<string, unknown>[]) => new Set(items.map((item) => String(item?.[key]))).size === items.length,
    })
  }

  /** Follows `$ref`s to the schema itself. */
  resolve(schema: JsonSchema): JsonSchema {
    let current = schema
    for (let depth = 0; current.$ref; depth++) {
      if (depth > 10 || !String(current.$ref).startsWith('#/')) throw new Error(`cannot resolve ${current.$ref}`)
      const target = String(current.$ref)
        .slice(2)
        .split('/')
        .reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc)
      if (!target) throw new Error(`${current.$ref} does not resolve`)
      const { $ref: _, ...siblings } = current
      current = { ...target, ...siblings }
    }
    return current
  }

  /** Whether the document accepts `value` for `schema`. */
  accepts(schema: JsonSchema, value: unknown): boolean {
    let validate = this.compiled.get(schema)
    if (!validate) {
      validate = this.ajv.compile({ ...schema, components: this.doc.components })
      this.compiled.set(schema, validate)
    }
    return validate(value) as boolean
  }

  private checkSubset(schema: JsonSchema) {
    const unknown = Object.keys(schema).filter((k) => !SUBSET.has(k))
    if (unknown.length) throw new Error(`the generator does not know ${unknown.join(', ')} (in ${JSON.stringify(schema).slice(0, 200)})`)
    if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) throw new Error('additionalProperties other than false')
    if (schema.format !== undefined && schema.format !== 'date-time') throw new Error(`format ${schema.format}`)
  }

  /** Values the schema accepts, from the pool and its examples first. */
  valid(schema: JsonSchema): fc.Arbitrary<unknown> {
    let arb = this.validMemo.get(schema)
    if (!arb) {
      const s = this.resolve(schema)
      const known = [...this.options.pool, ...(s.examples ?? [])].filter((v) => this.accepts(s, v))
      const generated = this.generate(s).filter((v) => this.accepts(s, v))
      arb = known.length ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 3 }, { arbitrary: generated, weight: 1 }) : generated
      this.validMemo.set(schema, arb)
    }
    return arb
  }

  private generate(s: JsonSchema): fc.Arbitrary<unknown> {
    this.checkSubset(s)
    if ('const' in s) return fc.constant(s.const)
    if (s.enum) return fc.constantFrom(...s.enum)
    if (s.anyOf) {
      const { anyOf, ...parent } = s
      return fc.oneof(...(anyOf as JsonSchema[]).map((branch) => this.valid({ ...parent, ...this.resolve(branch) })))
    }
    const types = typesOf(s)
    if (types.length !== 1) {
      if (types.length === 0) throw new Error(`no type in ${JSON.stringify(s).slice(0, 200)}`)
      return fc.oneof(...types.map((type) => this.valid({ ...s, type })))
    }
    switch (types[0]) {
      case 'null':
        return fc.constant(null)
      case 'boolean':
        return fc.boolean()
      case 'integer':
      case 'number':
        return this.numbers(s)
      case 'string':
        return this.strings(s)
      case 'array':
        return this.arrays(s)
      case 'object':
        return this.objects(s)
      default:
        throw new Error(`type ${types[0]}`)
    }
  }

  private numbers(s: JsonSchema): fc.Arbitrary<number> {
    const min: number = s.minimum ?? -1e9
    const max: number = s.maximum ?? 1e9
    if (s.type === 'integer') return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max))
    if (s.multipleOf) {
      // k / (1/m) writes k·m as its shortest decimal (0.07, not 0.07000000000000001)
      const inverse = 1 / s.multipleOf
      const steps = Number.isInteger(inverse) ? (k: number) => k / inverse : (k: number) => k * s.multipleOf
      const k = { min: Math.ceil(min / s.multipleOf), max: Math.floor(max / s.multipleOf) }
      return fc.oneof(fc.integer(k), fc.constantFrom(k.min, k.max)).map(steps)
    }
    return fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max))
  }

  private strings(s: JsonSchema): fc.Arbitrary<string> {
    const minLength: number = s.minLength ?? 0
    const maxLength: number = s.maxLength ?? 300
    const patterns = [s.pattern, ...(s.allOf ?? []).map((a: JsonSchema) => a.pattern)].filter((p): p is string => typeof p === 'string')
    for (const member of s.allOf ?? []) {
      if (Object.keys(member).some((k) => k !== 'pattern')) throw new Error('allOf members other than patterns')
    }
    const sources: fc.WeightedArbitrary<string>[] = []
    if (s.format === 'date-time') sources.push({ arbitrary: dateTime, weight: 4 })
    // an anchored pattern describes its strings; an unanchored one (\S) only requires something
    for (const pattern of patterns.filter((p) => p.startsWith('^')))
      sources.push({ arbitrary: fc.stringMatching(new RegExp(pattern, 'u')), weight: 4 })
    const free = (unit: 'binary' | 'grapheme-ascii', lengths: { minLength: number; maxLength: number }) => fc.string({ unit, ...lengths })
    const short = { minLength, maxLength: Math.max(minLength, Math.min(maxLength, 40)) }
    sources.push({ arbitrary: free('binary', short), weight: 1 })
    sources.push({ arbitrary: free('grapheme-ascii', short), weight: 1 })
    // the longest strings allowed, to catch length checks that differ
    sources.push({ arbitrary: free('binary', { minLength: maxLength, maxLength }), weight: 1 })
    return fc.oneof(...sources)
  }

  private arrays(s: JsonSchema): fc.Arbitrary<unknown[]> {
    const item = this.valid(s.items ?? {})
    const minLength: number = s.minItems ?? 0
    const maxItems: number = s.maxItems ?? 10
    const key: string | undefined = s['x-unique-by']
    const list = (lengths: { minLength: number; maxLength: number }) =>
      key ? fc.uniqueArray(item, { ...lengths, selector: (v) => String((v as Record<string, unknown>)[key]) }) : fc.array(item, lengths)
    return fc.oneof(
      { arbitrary: list({ minLength, maxLength: Math.min(maxItems, minLength + 4) }), weight: 9 },
      { arbitrary: list({ minLength: maxItems, maxLength: maxItems }), weight: 1 },
    )
  }

  private objects(s: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
    const properties: Record<string, JsonSchema> = s.properties ?? {}
    const required: string[] = s.required ?? []
    const made = Object.entries(properties).filter(([key, schema]) => required.includes(key) || !isCredential(this.resolve(schema)))
    const shape = Object.fromEntries(made.map(([key, schema]) => [key, this.valid(schema)]))
    return fc.record(shape, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>
  }

  /** Values the schema refuses, each with where the problem is. */
  refused(schema: JsonSchema): fc.Arbitrary<Refused> {
    const s = this.resolve(schema)
    this.checkSubset(s)
    const at =
      (path: Path) =>
      (value: unknown): Refused => ({ value, path })
    const types = s.anyOf ? (s.anyOf as JsonSchema[]).flatMap((b) => typesOf(this.resolve(b))) : typesOf(s)
    // a container of the right type is refused for what is inside it: that is below
    const wrongTypes = WRONG_TYPES.filter(
      (v) => !(Array.isArray(v) ? types.includes('array') : typeof v === 'object' && v !== null && types.includes('object')),
    )
    const options: fc.Arbitrary<Refused>[] = [fc.constantFrom(...wrongTypes).map(at([]))]
    if (types.includes('string')) options.push(nearMisses(this.valid(s).filter((v): v is string => typeof v === 'string')).map(at([])))
    if (types.includes('number') || types.includes('integer')) {
      const numbers = this.valid(s).filter((v): v is number => typeof v === 'number')
      options.push(
        fc
          .tuple(numbers, fc.constantFrom(-1, 1, 0.5, -0.5, 0.001, -0.001, 1e-7, 1e12))
          .map(([n, delta]) => n + delta)
          .map(at([])),
        fc
          .constantFrom(s.minimum ?? 0, s.maximum ?? 0)
          .chain((bound) => fc.constantFrom(bound - 1, bound + 1, bound + 0.005))
          .map(at([])),
      )
    }
    if (types.includes('object')) options.push(...this.refusedObjects(s))
    if (types.includes('array')) options.push(...this.refusedArrays(s))
    return fc.oneof(...options).filter((r) => !this.accepts(s, r.value))
  }

  private refusedObjects(s: JsonSchema): fc.Arbitrary<Refused>[] {
    const valid = this.valid(s).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v))
    const properties: Record<string, JsonSchema> = s.properties ?? {}
    const options: fc.Arbitrary<Refused>[] = []
    for (const [key, schema] of Object.entries(properties)) {
      options.push(fc.tuple(valid, this.refused(schema)).map(([o, r]) => ({ value: { ...o, [key]: r.value }, path: [key, ...r.path] })))
      const sibling = this.resolve(schema)['x-after']
      if (typeof sibling === 'string') {
        // the earlier of two valid values where the later must be (both fields share one schema here)
        const both = fc.tuple(valid, this.valid(schema), this.valid(properties[sibling]!)).filter(([, a, b]) => a != null && b != null)
        options.push(
          both.map(([o, a, b]) => {
            const [early, late] = Date.parse(String(a)) <= Date.parse(String(b)) ? [a, b] : [b, a]
            return { value: { ...o, [key]: early, [sibling]: late }, path: [key] }
          }),
        )
      }
    }
    for (const key of (s.required ?? []) as string[]) {
      options.push(valid.map((o) => ({ value: Object.fromEntries(Object.entries(o).filter(([k]) => k !== key)), path: [key] })))
    }
    if (s.additionalProperties === false) {
      const extra = fc.stringMatching(/^[a-z][a-z_]{0,11}$/).filter((k) => !(k in properties))
      options.push(fc.tuple(valid, extra).map(([o, key]) => ({ value: { ...o, [key]: 1 }, path: [key] })))
    }
    return options
  }

  private refusedArrays(s: JsonSchema): fc.Arbitrary<Refused>[] {
    const valid = this.valid(s).filter((v): v is unknown[] => Array.isArray(v))
    const options: fc.Arbitrary<Refused>[] = [
      fc
        .tuple(
          valid.filter((a) => a.length > 0),
          fc.nat(),
          this.refused(s.items ?? {}),
        )
        .map(([a, i, r]) => {
          const index = i % a.length
          return { value: a.map((item, j) => (j === index ? r.value : item)), path: [index, ...r.path] }
        }),
      fc
        .tuple(valid, this.valid(s.items ?? {}))
        .map(([a, item]) => ({ value: [...a, ...Array.from({ length: (s.maxItems ?? 10) + 1 - a.length }, () => item)], path: [] })),
    ]
    if (s.minItems) options.push(valid.map((a) => ({ value: a.slice(0, s.minItems - 1), path: [] })))
    const key = s['x-unique-by']
    if (typeof key === 'string') {
      // the same item again, its key written the other way (1 and "1" are the same)
      const flip = (v: unknown) => (typeof v === 'number' ? String(v) : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v)
      options.push(
        fc
          .tuple(
            valid.filter((a) => a.length > 0 && a.length < (s.maxItems ?? Infinity)),
            fc.nat(),
            fc.boolean(),
          )
          .map(([a, i, flipped]) => {
            const copy = { ...(a[i % a.length] as Record<string, unknown>) }
            if (flipped) copy[key] = flip(copy[key])
            return { value: [...a, copy], path: [a.length, key] }
          }),
      )
    }
    return options
  }
}
