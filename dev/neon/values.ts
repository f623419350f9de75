/**
 * Without `Neon-Raw-Text-Output: true`, Neon turns a few types into JSON
 * values (its proxy's pg_text_to_json): bool → boolean, int2/int4 and
 * float4/float8 → number (NaN/±Infinity stay strings), json/jsonb → JSON,
 * arrays of those → JSON arrays. Everything else, int8 and numeric included,
 * stays a string.
 */

const BOOL = 16
const INT2 = 21
const INT4 = 23
const FLOAT4 = 700
const FLOAT8 = 701
const JSON_TYPE = 114
const JSONB = 3802

/** Array type OID → element type OID for the built-in types (others stay text). */
const ARRAY_ELEMENTS: Record<number, number> = {
  1000: BOOL,
  1005: INT2,
  1007: INT4,
  1021: FLOAT4,
  1022: FLOAT8,
  199: JSON_TYPE,
  3807: JSONB,
  1001: 17, // bytea
  1009: 25, // text
  1014: 1042, // bpchar
  1015: 1043, // varchar
  1016: 20, // int8
  1028: 26, // oid
  1115: 1114, // timestamp
  1182: 1082, // date
  1183: 1083, // time
  1185: 1184, // timestamptz
  1187: 1186, // interval
  1231: 1700, // numeric
  2951: 2950, // uuid
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

export function textToJson(text: string, typeId: number): JsonValue {
  const element = ARRAY_ELEMENTS[typeId]
  if (element !== undefined) return mapArray(parsePgArray(text), element)
  switch (typeId) {
    case BOOL:
      return text === 't'
    case INT2:
    case INT4:
      return Number(text)
    case FLOAT4:
    case FLOAT8: {
      const n = Number(text)
      return Number.isFinite(n) ? n : text
    }
    case JSON_TYPE:
    case JSONB:
      return JSON.parse(text) as JsonValue
    default:
      return text
  }
}

type PgArray = (string | null | PgArray)[]

function mapArray(items: PgArray, element: number): JsonValue[] {
  return items.map((item) => (item === null ? null : Array.isArray(item) ? mapArray(item, element) : textToJson(item, element)))
}

/** Parses Postgres array output such as `{1,NULL,"a \"b\""}` or `[0:1]={{1},{2}}`. */
export function parsePgArray(text: string): PgArray {
  // Drop explicit bounds ("[0:1]="): JSON has no way to carry them.
  const source = text.startsWith('[') ? text.slice(text.indexOf('=') + 1) : text
  let i = 0
  const fail = (): never => {
    throw new Error(`malformed array literal: ${text}`)
  }

  function list(): PgArray {
    if (source[i] !== '{') fail()
    i++
    const items: PgArray = []
    if (source[i] === '}') {
      i++
      return items
    }
    for (;;) {
      items.push(item())
      const separator = source[i++]
      if (separator === '}') return items
      if (separator !== ',') fail()
    }
  }

  function item(): string | null | PgArray {
    if (source[i] === '{') return list()
    if (source[i] === '"') {
      let value = ''
      for (i++; source[i] !== '"'; i++) {
        if (i >= source.length) fail()
        if (source[i] === '\\') i++
        value += source[i]
      }
      i++
      return value
    }
    const start = i
    while (i < source.length && source[i] !== ',' && source[i] !== '}') i++
    const raw = source.slice(start, i).trim()
    return raw === 'NULL' ? null : raw
  }

  const result = list()
  if (i !== source.length) fail()
  return result
}
