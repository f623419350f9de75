import type { ErrorCode } from './codes'

type Status = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503

/**
 * The HTTP status of every error code: the one place it is said. A code whose
 * status depends on the case names its cases, and the code that throws it
 * says which case it is (AppError's `case`).
 */
export const STATUS = {
  VALIDATION_ERROR: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CHALLENGE_REQUIRED: 403,
  CHALLENGE_FAILED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PRODUCT_NOT_FOUND: 404,
  INSUFFICIENT_STOCK: 409,
  LIMIT_EXCEEDED: 409,
  ADDRESS_LIMIT_EXCEEDED: 409,
  // Cancelling a hold that is not there is "not found"; buying without one is a conflict.
  NO_RESERVATION: { cancel: 404, checkout: 409 },
  QUANTITY_EXCEEDS_RESERVATION: 409,
  SALE_NOT_ACTIVE: 409,
  // Whether a product has a waiting room is the state of the data, not the form of the request (as SALE_NOT_ACTIVE).
  NO_WAITING_ROOM: 409,
  SOLD_OUT: 409,
  TICKET_NOT_FOUND: 404,
  ADMISSION_REQUIRED: 409,
  ADMISSION_INVALID: 403,
  STOCK_BELOW_COMMITTED: 409,
  STOCK_EDIT_IN_FLIGHT: 409,
  AMOUNT_MISMATCH: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_FLIGHT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  CONFIGURATION_ERROR: 500,
  INTERNAL_ERROR: 500,
} as const satisfies Record<ErrorCode, Status | Record<string, Status>>

/** The status of a code in a case (the case only matters for a code that has cases; a missing one is a bug). */
export function statusOf(code: ErrorCode, which?: string): Status {
  const entry = STATUS[code] as Status | Record<string, Status>
  if (typeof entry === 'number') return entry
  const status = which === undefined ? undefined : entry[which]
  if (status === undefined) throw new Error(`${code} needs its case (${Object.keys(entry).join(', ')}), got ${which}`)
  return status
}

/** Every status a code can have, for the document. */
export function statusesOf(code: ErrorCode): Status[] {
  const entry = STATUS[code] as Status | Record<string, Status>
  return typeof entry === 'number' ? [entry] : [...new Set(Object.values(entry))]
}
