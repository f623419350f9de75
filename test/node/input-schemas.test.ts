import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ordersQuery } from '../../src/schemas/checkout'
import { INT4_MAX, parseTimestamp, productId, requiredText, text, timestamp, wholeNumberPattern } from '../../src/schemas/common'
import { rfc3339 } from '../support/json-schema-arbitrary'

// What the request schemas accept, value by value; test/node/openapi-property.test.ts
// checks the same schemas through the document and the API.

describe('wholeNumberPattern', () => {
  it('matches the decimal text of exactly the numbers 1..max', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: INT4_MAX })), fc.nat({ max: 2 ** 32 }), (max, n) => {
        const re = new RegExp(`^${wholeNumberPattern(max)}$`)
        for (const candidate of [n, n % (max + 2), max, max + 1, max - 1]) {
          expect(re.test(String(candidate)), `${candidate} ≤ ${max}`).toBe(candidate >= 1 && candidate <= max)
        }
        expect(re.test(`0${Math.min(n, max) || 1}`)).toBe(false)
        expect(re.test(`+${max}`)).toBe(false)
      }),
      { numRuns: 2_000 },
    )
  })
})

describe('product ids', () => {
  it('are whole numbers 1..2147483647, as numbers or strings without leading zeros', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: INT4_MAX + 10 }), (n) => {
        const inRange = n >= 1 && n <= INT4_MAX
        expect(productId.safeParse(n).success).toBe(inRange)
        expect(productId.safeParse(String(n)).success).toBe(inRange)
        expect(productId.safeParse(`0${n}`).success).toBe(false)
      }),
    )
    for (const bad of [1.5, '1.0', '1e3', ' 1', '', null, true, [1], { id: 1 }, Number.NaN]) {
      expect(productId.safeParse(bad).success, JSON.stringify(bad)).toBe(false)
    }
  })
})

describe('limit', () => {
  it('is 1 to 100 exactly, 20 when absent', () => {
    for (let n = -5; n <= 1005; n++) {
      const parsed = ordersQuery.safeParse({ limit: String(n) })
      expect(parsed.success, String(n)).toBe(n >= 1 && n <= 100)
    }
    expect(ordersQuery.parse({}).limit).toBe(20)
    for (const bad of ['01', '1.0', ' 5', '5 ', '+5', '']) expect(ordersQuery.safeParse({ limit: bad }).success, bad).toBe(false)
  })
})

/** Whether `s` is well-formed UTF-16 (encodeURIComponent throws on a lone surrogate). */
function wellFormed(s: string): boolean {
  try {
    encodeURIComponent(s)
    return true
  } catch {
    return false
  }
}

describe('free text', () => {
  it('refuses U+0000 and unpaired surrogates anywhere, takes every other character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(), fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff'), (s, at, bad) => {
        const clean = s.replace(/\u0000/g, '')
        expect(text(2000).safeParse(clean).success).toBe(true)
        const i = at % (clean.length + 1)
        const dirty = clean.slice(0, i) + bad + clean.slice(i)
        // a high half right before a low one is a pair, not a lone half
        if (!wellFormed(dirty) || bad === '\u0000') expect(text(2000).safeParse(dirty).success, JSON.stringify(dirty)).toBe(false)
      }),
    )
    expect(text(3).safeParse('😀😀😀').success).toBe(true) // lengths count code points, as JSON Schema's
    expect(text(3).safeParse('😀😀😀😀').success).toBe(false)
  })

  it('a required text is not blank and is stored trimmed; its length is checked as sent', () => {
    expect(requiredText(5).safeParse(' \t\n\u00a0\ufeff').success).toBe(false)
    expect(requiredText(5).parse('  a  ')).toBe('a')
    expect(requiredText(5).safeParse('  a   ').success).toBe(false)
  })
})

describe('date-times', () => {
  const instant = fc.date({ min: new Date('1001-01-02T00:00:00Z'), max: new Date('9998-12-30T00:00:00Z'), noInvalidDate: true })
  const offset = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 })

  it('read RFC 3339 with any offset to the same instant (to the millisecond)', () => {
    fc.assert(
      fc.property(instant, offset, fc.integer({ min: 0, max: 9 }), (date, minutes, digits) => {
        const written = rfc3339(date, minutes, digits, digits % 2 === 1)
        const expected = Math.floor(date.getTime() / 10 ** Math.max(0, 3 - digits)) * 10 ** Math.max(0, 3 - digits)
        expect(parseTimestamp(written)?.getTime(), written).toBe(expected)
        expect(timestamp.parse(written).getTime()).toBe(expected)
        expect(Date.parse(written)).toBe(Date.parse(written.replace(/(\.\d{3})\d+/, '$1')))
      }),
    )
  })

  it('refuse days the calendar does not have, and every other form', () => {
    expect(timestamp.safeParse('2028-02-29T00:00:00Z').success).toBe(true)
    for (const bad of [
      '2026-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '0999-12-31T00:00:00Z',
      '9999-01-01T00:00:00Z',
      '2026-05-01T24:00:00Z',
      '2026-05-01T12:00:60Z',
      '2026-05-01T12:00Z',
      '2026-05-01 12:00:00Z',
      '2026-05-01t12:00:00z',
      '2026-05-01T12:00:00',
      '2026-05-01T12:00:00+0100',
      '2026-05-01T12:00:00+01',
      '2026-05-01T12:00:00+24:00',
      '2026-05-01',
      '+002026-05-01T12:00:00Z',
    ]) {
      expect(timestamp.safeParse(bad).success, bad).toBe(false)
    }
  })
})
