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
 * client address. A read (GET, HEAD) runs alongside the check, so it costs
 * one store round trip, not two; a refused client gets its 429 without the
 * data, and one refused before is answered from memory before anything runs.
 * If Redis cannot answer the check, reads go on (and meet the store's own 503
 * if it is really down); admin writes get the 503 here, before they change
 * anything. Shopper writes are limited inside their engine scripts instead
 * (src/engine/guards.ts).
 */
export const limitPerIp = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.get('deps').limiter
  if (!limiter) return next()
  const client = c.get('clientIp') ?? 'unknown'
  const remembered = limiter.remembered(client)
  if (remembered) refuse(remembered)
  const read = c.req.method === 'GET' || c.req.method === 'HEAD'
  const decision = limiter.limit(client).then(
    (d): RateDecision | { error: unknown } => d,
    (error: unknown) => ({ error }),
  )
  if (read) await next()
  const d = await decision
  if ('error' in d) {
    c.set('rateLimit', 'unavailable')
    if (!read) throw new StoreUnavailableError('redis', d.error, 'rate limit')
  } else if (!d.success) {
    // A read already answered: the 429 replaces its answer, data and headers.
    if (read) c.res = undefined
    refuse(d)
  } else {
    setRateHeaders(c, { limit: d.limit, remaining: d.remaining, resetAt: new Date(d.reset) })
  }
  if (!read) await next()
})

const refuse = (d: RateDecision): never => {
  throw rateLimitedError('ip', new Date(d.reset), d.limit)
}
