/**
 * Every refusal code the pages can meet, in plain words: what happened and
 * what the person can do. The API's own `error` text is the fallback for a
 * code this list does not know yet.
 */
import { ApiError } from './api'
import { durationInWords } from './clock'

type Details = Record<string, unknown>

const num = (d: Details | undefined, key: string): number | undefined => (typeof d?.[key] === 'number' ? (d[key] as number) : undefined)
const units = (n: number) => `${n} unit${n === 1 ? '' : 's'}`

const WORDS: Record<string, (d: Details | undefined, err: ApiError) => string> = {
  INSUFFICIENT_STOCK: (d) => {
    const left = num(d, 'available')
    return left
      ? `Only ${units(left)} left — try a smaller quantity.`
      : 'Sold out: someone else got the last one. Held units come back if their holds lapse, so it may return.'
  },
  SOLD_OUT: () => 'Sold out: there is nothing left to wait for.',
  LIMIT_EXCEEDED: (d) => {
    const max = num(d, 'max_per_user')
    return max === undefined
      ? 'You have reached the limit per customer for this drop.'
      : `You have reached the limit of ${units(max)} per customer for this drop (held and bought together).`
  },
  ADDRESS_LIMIT_EXCEEDED: (d) => {
    const max = num(d, 'max_held_per_address')
    return `Your network already holds ${max === undefined ? 'as many units as one network may' : `the ${units(max)} one network may hold`} of this drop. Try again when those holds end.`
  },
  SALE_NOT_ACTIVE: () => 'This sale is not open right now: it has not started yet, or it has ended.',
  RATE_LIMITED: (_d, err) => `Too many tries in a short time. Please wait ${durationInWords(err.retryAfter ?? 5)} and try again.`,
  NO_RESERVATION: () => 'Your hold is gone — it lapsed or was released. Reserve again to buy.',
  QUANTITY_EXCEEDS_RESERVATION: () => 'You are buying more than you hold. Reserve more first.',
  AMOUNT_MISMATCH: () => 'The price changed since this page loaded. Reload the page to see the current price.',
  CHALLENGE_REQUIRED: () => 'This shop asks for a human check (Cloudflare Turnstile) that this page cannot show. Use the shop’s own checkout.',
  CHALLENGE_FAILED: () => 'The human check did not pass. Please try again.',
  ADMISSION_REQUIRED: () => 'This drop has a waiting room: join the line first, and reserve when it is your turn.',
  ADMISSION_INVALID: () => 'Your turn from the waiting room is no longer valid (it expired, or was for another drop). Join the line again.',
  IDEMPOTENCY_KEY_IN_FLIGHT: () => 'Your purchase is still being processed. Wait a moment before trying again.',
  IDEMPOTENCY_KEY_REUSED: () => 'This purchase was already placed with different details. Reload the page and check your orders.',
  PRODUCT_NOT_FOUND: () => 'There is no such drop.',
  STOCK_BELOW_COMMITTED: (d) => {
    const committed = num(d, 'minimum')
    return committed === undefined
      ? 'Stock cannot go below the units already sold or held.'
      : `Stock cannot go below the ${units(committed)} already sold or held.`
  },
  STOCK_EDIT_IN_FLIGHT: () => 'Another stock change of this drop is still running. Try again in a moment.',
  UNAUTHORIZED: (_d, err) =>
    /admin/i.test(err.message) ? 'Enter the admin token first.' : 'This shop requires signed-in shoppers; this page cannot sign you in.',
  FORBIDDEN: (_d, err) =>
    /admin/i.test(err.message)
      ? 'That admin token is not the right one, or admin writes are turned off (no ADMIN_TOKEN).'
      : 'You may not do that for this shopper.',
  SERVICE_UNAVAILABLE: (_d, err) => `The shop is briefly unavailable. Try again in ${durationInWords(err.retryAfter ?? 2)}.`,
  NETWORK: () => 'The shop could not be reached. Check your connection and try again.',
  VALIDATION_ERROR: (_d, err) => {
    const fields = err.details
      .map((x) => (typeof x.field === 'string' && typeof x.message === 'string' ? `${x.field.replaceAll('_', ' ')} ${x.message}` : ''))
      .filter(Boolean)
    return fields.length ? `Please check: ${fields.join('; ')}.` : 'Some of what was sent is not valid.'
  },
}

export function explain(err: unknown): string {
  if (!(err instanceof ApiError)) return 'Something went wrong in this page. Reload it and try again.'
  const words = WORDS[err.code]
  return words ? words(err.details[0], err) : err.message
}
