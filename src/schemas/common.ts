import * as z from 'zod'

export const INT4_MAX = 2_147_483_647
export const MAX_QUANTITY = 10_000
/** The largest amount the API takes, in cents: 1,000,000,000.00. */
export const MAX_CENTS = 100_000_000_000

/**
 * A regex (source, no anchors) matching the decimal text of every whole number
 * from 1 to `max` and nothing else: no sign, no leading zero, no exponent. It
 * lets a JSON Schema `pattern` say exactly which numeric strings are accepted.
 */
export function wholeNumberPattern(max: number): string {
  const digits = String(max)
  const choices = digits.length > 1 ? [`[1-9][0-9]{0,${digits.length - 2}}`] : []
  for (let i = 0; i < digits.length; i++) {
    const low = i === 0 ? 1 : 0
    const digit = Number(digits[i])
    if (digit <= low) continue
    const range = digit - 1 === low ? String(low) : `[${low}-${digit - 1}]`
    const rest = digits.length - i - 1
    choices.push(digits.slice(0, i) + range + (rest > 1 ? `[0-9]{${rest}}` : rest ? '[0-9]' : ''))
  }
  choices.push(digits)
  return `(?:${choices.join('|')})`
}

// Postgres stores neither U+0000 nor half a UTF-16 surrogate pair. With the `u`
// flag (JSON Schema patterns are Unicode), [\uD800-\uDFFF] matches only a lone half.
const NOT_STORABLE = 'must not contain U+0000 or an unpaired UTF-16 surrogate'
const STORABLE = /^[^\u0000\uD800-\uDFFF]*$/u

/** Free text of at most `max` characters (code points) that Postgres can store. */
export const text = (max: number) => z.string().max(max).regex(STORABLE, NOT_STORABLE)

/** Free text that must not be blank; stored without surrounding white space. */
export const requiredText = (max: number) => text(max).regex(/\S/u, 'must not be blank').trim()

/** Letters, digits and `_ - . : @`; never a pattern, a path or a key separator trick. */
export const userId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'may contain only letters, digits and _ - . : @')
  .meta({ description: "The shopper's id: 1-128 letters, digits and _ - . : @", examples: ['alice'] })

const PRODUCT_ID = 'must be a whole number from 1 to 2147483647, as a number or a string of digits'

/** A positive int4, given as a number or a numeric string ("42"). */
export const productId = z
  .union(
    [
      z.number().int(PRODUCT_ID).min(1, PRODUCT_ID).max(INT4_MAX, PRODUCT_ID),
      z.string().regex(new RegExp(`^${wholeNumberPattern(INT4_MAX)}$`), PRODUCT_ID),
    ],
    { error: PRODUCT_ID },
  )
  .transform(Number)
  .meta({
    description: 'A product id: a whole number from 1 to 2147483647, as a number (42) or a string of digits without leading zeros ("42")',
    examples: [1],
  })

/** A positive whole number of units; strings and fractions are refused. */
export const quantity = z
  .number()
  .int('must be a whole number')
  .min(1)
  .max(MAX_QUANTITY)
  .meta({ description: 'Units, a whole number from 1 to 10000', examples: [2] })

// 0 to 999999999 with up to two decimals, or the cap 1000000000 itself.
const MONEY_TEXT = /^(?:(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,2})?|1000000000(?:\.00?)?)$/
const MONEY = 'must be an amount from 0 to 1000000000.00 with at most two decimals, as a number or a string like "19.99"'

/**
 * Decimal text → integer cents, by string arithmetic (never a binary
 * fraction): "19.9" → 1990. Undefined for anything but 0 to 1000000000.00
 * with at most two decimals (no sign, exponent or leading zero).
 */
export function parseCents(text: string): number | undefined {
  if (!MONEY_TEXT.test(text)) return undefined
  const [whole, fraction = ''] = text.split('.')
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'))
}

/**
 * Money as a JSON number or a decimal string, in integer cents. A number is
 * read as its shortest round-trip text (`String(n)`: 19.99 → "19.99"), so
 * what is checked is the decimal the client wrote.
 */
export const money = z
  .union(
    [
      // JSON Schema's multipleOf is exact decimal arithmetic; the server's check is parseCents.
      z.number().min(0, MONEY).max(MAX_CENTS / 100, MONEY).meta({ multipleOf: 0.01 }),
      z.string().regex(MONEY_TEXT, MONEY),
    ],
    { error: MONEY },
  )
  .transform((value, ctx) => {
    const cents = parseCents(typeof value === 'number' ? String(value) : value)
    if (cents === undefined) {
      ctx.addIssue({ code: 'custom', message: MONEY })
      return z.NEVER
    }
    return cents
  })
  .meta({
    description: 'An amount from 0 to 1000000000.00 with at most two decimals, as a number (19.99) or a string ("19.99")',
    examples: ['19.99'],
  })

// RFC 3339 with a four-digit year from 1000 to 9998 (so that no offset moves the
// instant out of four digits), seconds, and Z or ±hh:mm. The calendar (30 February …)
// is checked in code and, in the document, by `format: date-time`.
const TIMESTAMP =
  /^((?:1[0-9]{3}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8]))-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]+))?(?:Z|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))$/
const TIMESTAMP_MESSAGE = 'must be a date-time like 2026-05-01T12:00:00Z or 2026-05-01T14:00:00+02:00 (years 1000 to 9998)'

/** The instant of a TIMESTAMP text, or undefined when the date is not in the calendar. */
export function parseTimestamp(text: string): Date | undefined {
  const m = TIMESTAMP.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCDate() !== day) return undefined
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3))
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0
  return new Date(Date.UTC(year, month - 1, day, hour, minute - offset, second, millis))
}

export const timestamp = z
  .string()
  .regex(TIMESTAMP, TIMESTAMP_MESSAGE)
  .transform((value, ctx) => {
    const instant = parseTimestamp(value)
    if (!instant) {
      ctx.addIssue({ code: 'custom', message: `${TIMESTAMP_MESSAGE}: no such day` })
      return z.NEVER
    }
    return instant
  })
  .meta({
    format: 'date-time',
    description: 'An RFC 3339 date-time with seconds and Z or an offset (±hh:mm), years 1000 to 9998',
    examples: ['2026-05-01T12:00:00Z'],
  })

/** The opaque `next_cursor` of a page, as the API gives it (base64). */
export const cursor = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'is not a cursor this API gave')

export const userParams = z.object({ userId })
export const productParams = z.object({ productId })
export const holdParams = z.object({ userId, productId })

/** Cents → "19.99", the way the API returns money (string arithmetic, as parseCents). */
export function formatMoney(cents: number): string {
  const digits = String(cents).padStart(3, '0')
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`
}
