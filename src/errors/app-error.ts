import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorCode } from './codes'

/** The write window a request went through (src/engine/types.ts RateInfo, as the API reports it). */
export interface RateReport {
  limit: number
  remaining: number
  resetAt: Date
}

/** A failure the API explains to its caller: status, machine code, human text. */
export class AppError extends Error {
  /** set when the request went through a write window: its RateLimit-* headers */
  rate?: RateReport

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown[],
    readonly headers?: Record<string, string>,
  ) {
    super(message)
    this.name = 'AppError'
  }

  withRate(rate: RateReport | undefined): this {
    this.rate = rate
    return this
  }
}
