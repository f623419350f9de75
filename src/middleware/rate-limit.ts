import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { rateLimitedError } from '../errors/app-error'
import { StoreUnavailableError } from '../errors/store-unavailable'
import type { RateDecision } from '../limits/rate-limiter'
import type { RateReport } from '../errors/app-error'
import type { AppEnv } from '../http/app-env'

/** RateLimit-* headers of the window a request went through. */
export function rateLimitHeaders(rate: RateReport): Record<string, string> {
  return {
    'RateLimit-Limit': String(rate.limit),
    'RateLimit-Remaining': String(Math.max(0, rate.remaining)),
    'RateLimit-Reset': String(Math.max(0, Math.ceil((rate.resetAt.getTime() - Date.now()) / 1000))),
  }
}

export function setRateHeaders(c: Context<AppEnv>, rate: RateReport | undefined): void {
  if (!rate) return
  for (const [name, value] of Object.entries(rateLimitHeaders(rate))) c.header(name, value)
  c.set('rateLimit', 'allowed')
}

/**
 * Reads and admin routes: one @upstash/ratelimit sliding-window check per
 * client address. If Redis cannot answer, reads go on (and meet the store's
 * own 503 if it is really down); writes get the 503 here. Shopper writes are
 * limited inside their engine scripts instead (src/engine/guards.ts).
 */
export const limitPerIp = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.get('deps').limiter
  if (!limiter) return next()
  let decision: RateDecision
  try {
    decision = await limiter.limit(c.get('clientIp') ?? 'unknown')
  } catch (err) {
    c.set('rateLimit', 'unavailable')
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    throw new StoreUnavailableError('redis', err, 'rate limit')
  }
  const rate = { limit: decision.limit, remaining: decision.remaining, resetAt: new Date(decision.reset) }
  if (!decision.success) throw rateLimitedError('ip', rate.resetAt, rate.limit)
  setRateHeaders(c, rate)
  await next()
})
