import * as z from 'zod'

export const INT4_MAX = 2_147_483_647
export const MAX_QUANTITY = 10_000

/** Letters, digits and `_ - . : @`; never a pattern, a path or a key separator trick. */
export const userId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'may contain only letters, digits and _ - . : @')
  .meta({ description: "The shopper's id: 1-128 letters, digits and _ - . : @", examples: ['alice'] })

/** A positive int4, given as a number or a numeric string ("42"). */
export const productId = z
  .union([z.number(), z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')])
  .transform(Number)
  .pipe(z.number().int('must be a positive integer').min(1).max(INT4_MAX))
  .meta({ description: 'A product id: a whole number from 1 to 2147483647, as a number or a numeric string', examples: [1] })

/** A positive whole number of units; strings and fractions are refused. */
export const quantity = z
  .number()
  .int('must be a whole number')
  .min(1)
  .max(MAX_QUANTITY)
  .meta({ description: 'Units, a whole number from 1 to 10000', examples: [2] })

/** Money as a JSON number or decimal string with at most two decimals, in integer cents. */
export const money = z
  .union([z.number(), z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be an amount like 19.99')])
  .transform((v, ctx) => {
    const cents = Math.round(Number(v) * 100)
    if (!Number.isFinite(cents) || cents < 0 || Math.abs(Number(v) * 100 - cents) > 1e-6 || cents > 100_000_000_000) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative amount with at most two decimals' })
      return z.NEVER
    }
    return cents
  })
  .meta({ description: 'An amount with at most two decimals, as a number (19.99) or a string ("19.99")', examples: ['19.99'] })

export const timestamp = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .meta({ description: 'An ISO 8601 date-time with Z or an offset', examples: ['2026-05-01T12:00:00Z'] })

export const userParams = z.object({ userId })
export const productParams = z.object({ productId })
export const holdParams = z.object({ userId, productId })

/** Cents → "19.99", the way the API returns money. */
export function formatMoney(cents: number): string {
  return (cents / 100).toFixed(2)
}
