import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { AppError, StoreUnavailableError } from '../errors/app-error'
import type { LimitScope, RateDecision } from '../rate-limiter'
import type { AppEnv } from '../types'

/** RateLimit-* headers of the one limit the request went through. */
function setHeaders(c: Context<AppEnv>, d: RateDecision) {
  c.header('RateLimit-Limit', String(d.limit))
  c.header('RateLimit-Remaining', String(Math.max(0, d.remaining)))
  c.header('RateLimit-Reset', String(Math.max(0, Math.ceil((d.reset - Date.now()) / 1000))))
}

/**
 * One sliding-window check. If Redis cannot answer, reads go on (and meet the
 * store's own 503 if it is really down); writes get the 503 here.
 */
export const rateLimit = (scope: LimitScope, identify: (c: Context<AppEnv>) => string | undefined) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const limiter = c.get('deps').limiter
    if (!limiter) return next()
    let decision: RateDecision
    try {
      decision = await limiter.limit(scope, identify(c) ?? 'unknown')
    } catch (err) {
      c.set('rateLimit', 'unavailable')
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
      throw new StoreUnavailableError('redis', err)
    }
    setHeaders(c, decision)
    if (!decision.success) {
      c.set('rateLimit', `blocked:${scope}`)
      const retryAfter = String(Math.max(1, Math.ceil((decision.reset - Date.now()) / 1000)))
      throw new AppError(429, 'RATE_LIMITED', 'Too many requests, slow down', [{ scope, retry_after: Number(retryAfter) }], {
        'Retry-After': retryAfter,
      })
    }
    c.set('rateLimit', 'allowed')
    await next()
  })

/** The user id of a validated JSON body (reserve, bulk, checkout). */
export const bodyUserId = (c: Context<AppEnv>) => (c.req.valid as (target: 'json') => { user_id?: string })('json').user_id

/**
 * Each request goes through exactly one limiter (one Redis command): shopper
 * writes (reserve, bulk, checkout) through the tighter per-user one, every
 * other API route through the per-IP one.
 */
export const limitPerUser = rateLimit('user', bodyUserId)
export const limitPerIp = rateLimit('ip', (c) => c.get('clientIp'))
