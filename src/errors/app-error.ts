import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorCode } from './codes'

/** A failure the API explains to its caller: status, machine code, human text. */
export class AppError extends Error {
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
}

export type Store = 'redis' | 'postgres'

/**
 * A store could not be reached or did not answer. Adapters throw it so that
 * routes answer 503 (with Retry-After) instead of 500.
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly store: Store,
    cause?: unknown,
  ) {
    super(`${store} is unavailable`, { cause })
    this.name = 'StoreUnavailableError'
  }
}
