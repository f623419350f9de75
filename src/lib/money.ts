/**
 * Money in integer cents, read from and written to its decimal text by string
 * arithmetic (never a binary fraction). The API takes and gives amounts as
 * "19.99"; src/schemas/common.ts validates them with these.
 */

/** The largest amount the API takes, in cents: 1,000,000,000.00. */
export const MAX_CENTS = 100_000_000_000

// 0 to 999999999 with up to two decimals, or the cap 1000000000 itself.
export const MONEY_TEXT = /^(?:(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,2})?|1000000000(?:\.00?)?)$/
export const MONEY_MESSAGE = 'must be an amount from 0 to 1000000000.00 with at most two decimals, as a number or a string like "19.99"'

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

/** Cents → "19.99", the way the API returns money. */
export function formatMoney(cents: number): string {
  const digits = String(cents).padStart(3, '0')
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`
}
