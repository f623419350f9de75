import type { ErrorCode } from './codes'

/** The write window a request went through, for its RateLimit-* headers. */
export interface RateReport {
  limit: number
  remaining: number
  resetAt: Date
}

export interface AppErrorOptions {
  /** one object per problem: `{field, message}` for VALIDATION_ERROR, the numbers behind a refusal otherwise */
  details?: unknown[]
  /** seconds after which trying again makes sense (Retry-After) */
  retryAfter?: number
  /** for a code whose status depends on the case (src/errors/status.ts), which case this is */
  case?: string
  /** this is the stored answer to an earlier request with the same Idempotency-Key */
  replayed?: boolean
}

/**
 * A failure the API explains to its caller: a machine code and human text.
 * Its HTTP status comes from the code (src/errors/status.ts), never from the
 * place that throws it.
 */
export class AppError extends Error {
  readonly details?: unknown[]
  readonly retryAfter?: number
  readonly case?: string
  readonly replayed: boolean
  /** set when the request went through a write window: its RateLimit-* headers */
  rate?: RateReport

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message)
    this.name = 'AppError'
    this.details = options.details
    this.retryAfter = options.retryAfter
    this.case = options.case
    this.replayed = options.replayed ?? false
  }

  withRate(rate: RateReport | undefined): this {
    this.rate = rate
    return this
  }
}

/** 429 for a client whose window is full: when to come back, in Retry-After and in `details`. */
export function rateLimitedError(scope: 'ip' | 'user', resetAt: Date, limit?: number): AppError {
  const retryAfter = Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000))
  const err = new AppError('RATE_LIMITED', 'Too many requests, slow down', { details: [{ scope, retry_after: retryAfter }], retryAfter })
  return limit === undefined ? err : err.withRate({ limit, remaining: 0, resetAt })
}
