import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatMoney, MAX_CENTS, money, parseCents } from '../../src/schemas/common'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

/** The ways a client writes an amount of `cents` with at most two decimals: "19.90", "19.9", and 19.9. */
function writings(cents: number): unknown[] {
  const text = formatMoney(cents)
  const short = text.replace(/\.?0+$/, '') || '0'
  return [text, text.replace(/0$/, ''), short, Number(text)]
}

const anyCents = fc.oneof(
  fc.integer({ min: 0, max: MAX_CENTS }),
  // where binary floating point ran out of room for cents before (2^27 = 134217728)
  fc.integer({ min: 13_421_772_800, max: MAX_CENTS }),
  fc.constantFrom(0, 1, 99, 100, MAX_CENTS - 1, MAX_CENTS),
)

const runs = Number(process.env.MONEY_PROPERTY_RUNS ?? 20_000)

describe('money', () => {
  it('accepts every two-decimal amount from 0.00 to 1000000000.00, as a string and as a number, to the exact cent', () => {
    fc.assert(
      fc.property(anyCents, (cents) => {
        for (const written of writings(cents)) {
          const parsed = money.safeParse(written)
          expect(parsed, JSON.stringify(written)).toEqual({ success: true, data: cents })
        }
        expect(parseCents(formatMoney(cents))).toBe(cents)
      }),
      { numRuns: runs },
    )
  })

  it('refuses three decimals, as a string and as a number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_CENTS - 1 }), fc.integer({ min: 1, max: 9 }), (cents, third) => {
        const text = `${formatMoney(cents)}${third}`
        expect(money.safeParse(text).success, text).toBe(false)
        expect(money.safeParse(Number(text)).success, `${Number(text)}`).toBe(false)
      }),
      { numRuns: runs },
    )
  })

  it('refuses what is above the cap, negative, an exponent, signed or padded', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_CENTS + 1, max: MAX_CENTS * 100 }), (cents) => {
        expect(money.safeParse(formatMoney(cents)).success).toBe(false)
        expect(money.safeParse(Number(formatMoney(cents))).success).toBe(false)
      }),
      { numRuns: 2_000 },
    )
    for (const bad of ['1000000000.01', 1000000000.01, '-0.01', -0.01, '1e3', '1E3', 1e21, 1e-7, '+1', ' 1', '1 ', '01', '00.5', '.5', '5.', '1,00', '0x10', 'NaN', 'Infinity', '', '1.5.5']) {
      expect(money.safeParse(bad).success, JSON.stringify(bad)).toBe(false)
    }
    expect(money.safeParse(0.1 + 0.2).success).toBe(false) // 0.30000000000000004 is what the client sent
  })

  it('reads the amounts floating point got wrong before', () => {
    for (const [written, cents] of [
      ['555555555.55', 55_555_555_555],
      [555555555.55, 55_555_555_555],
      ['999999999.99', 99_999_999_999],
      [999999999.99, 99_999_999_999],
      ['1000000000.00', 100_000_000_000],
      [1000000000, 100_000_000_000],
      ['134217728.01', 13_421_772_801],
      [134217728.01, 13_421_772_801],
      ['0.00', 0],
      [0, 0],
      [19.99, 1999],
      ['0.07', 7],
      [1.1, 110],
    ] as const) {
      expect(money.safeParse(written), JSON.stringify(written)).toEqual({ success: true, data: cents })
    }
  })

  it('formats cents back without floating point', () => {
    expect([0, 7, 70, 100, 1999, 55_555_555_555, 100_000_000_000].map(formatMoney)).toEqual([
      '0.00',
      '0.07',
      '0.70',
      '1.00',
      '19.99',
      '555555555.55',
      '1000000000.00',
    ])
  })
})

describe('money through the API', () => {
  let h: NodeHarness
  beforeAll(async () => {
    h = await startNodeHarness('money')
  })
  afterAll(() => h?.close())

  it('stores and checks out the amounts floating point got wrong before', async () => {
    for (const price of ['555555555.55', 555555555.55, '999999999.99', 999999999.99, '1000000000.00', 1000000000, '134217728.01', 134217728.01]) {
      const created = await h.api.call('POST', '/api/products', { name: `at ${price}`, total_stock: 5, price })
      expect(created.status, JSON.stringify(price)).toBe(201)
      expect(created.body.data.price).toBe(formatMoney(parseCents(String(price))!))
    }
    const product = (await h.api.call('POST', '/api/products', { name: 'Half', total_stock: 5, price: '555555555.55' })).body.data
    expect((await h.api.call('POST', '/api/reserve', { user_id: 'rich', product_id: product.id, quantity: 1 })).status).toBe(201)
    const order = await h.api.call('POST', '/api/checkout', { user_id: 'rich', product_id: product.id, quantity: 1, total_amount: 555555555.55 })
    expect(order.status).toBe(201)
    expect(order.body.data.total_amount).toBe('555555555.55')
  })

  it('refuses three decimals and the cent above the cap with 400 naming the field', async () => {
    for (const price of ['1.005', 1.005, '1000000000.01', 1000000000.01]) {
      const res = await h.api.call('POST', '/api/products', { name: 'x', total_stock: 1, price })
      expect(res.status, JSON.stringify(price)).toBe(400)
      expect(res.body.details).toEqual([{ field: 'price', message: expect.stringMatching(/two decimals/) }])
    }
  })
})
