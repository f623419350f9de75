export type Store = 'redis' | 'postgres'

/** How a store failed, for logs and /health: never what it answered. */
export type FailureKind = 'timeout' | 'unreachable' | 'refused' | 'error'

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN'])

/** Sorts a cause by its shape only: error names and codes, never message text that could echo data. */
export function failureKind(cause: unknown): FailureKind {
  for (let err = cause, depth = 0; err instanceof Error && depth < 5; err = err.cause, depth++) {
    const code = (err as { code?: unknown }).code
    if (err.name === 'TimeoutError' || err.name === 'AbortError' || code === 'ETIMEDOUT') return 'timeout'
    if (/timed? ?out/i.test(err.message)) return 'timeout'
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return 'unreachable'
    if (err.name === 'ReplyError' || err.name === 'UpstashError' || err.name === 'NeonDbError') return 'refused'
    if (err.name === 'TypeError' && /fetch|network/i.test(err.message)) return 'unreachable'
    if (/connect|closed|Connection is closed|ECONNREFUSED/i.test(err.message)) return 'unreachable'
  }
  return 'error'
}

/**
 * A store could not be reached or did not answer. Adapters throw it so that
 * routes answer 503 (with Retry-After) instead of 500. `operation` names what
 * was being done (a script, a query), for the logs.
 */
export class StoreUnavailableError extends Error {
  readonly kind: FailureKind

  constructor(
    readonly store: Store,
    cause?: unknown,
    public operation?: string,
  ) {
    super(`${store} is unavailable`, { cause })
    this.name = 'StoreUnavailableError'
    this.kind = failureKind(cause)
  }
}
