import { AppError } from './app-error'

/** 429 for a client whose window is full: when to come back, in the header and in `details`. */
export function rateLimitedError(scope: 'ip' | 'user', resetAt: Date, limit?: number): AppError {
  const retryAfter = Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000))
  const err = new AppError(429, 'RATE_LIMITED', 'Too many requests, slow down', [{ scope, retry_after: retryAfter }], {
    'Retry-After': String(retryAfter),
  })
  return limit === undefined ? err : err.withRate({ limit, remaining: 0, resetAt })
}

/** RateLimit-* headers of the window a request went through. */
export function rateLimitHeaders(rate: { limit: number; remaining: number; resetAt: Date }): Record<string, string> {
  return {
    'RateLimit-Limit': String(rate.limit),
    'RateLimit-Remaining': String(Math.max(0, rate.remaining)),
    'RateLimit-Reset': String(Math.max(0, Math.ceil((rate.resetAt.getTime() - Date.now()) / 1000))),
  }
}
