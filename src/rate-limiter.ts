import { Ratelimit } from '@upstash/ratelimit'
import type { Redis } from '@upstash/redis/cloudflare'
import type { Config } from './env'

export type LimitScope = 'ip' | 'user'

export interface RateDecision {
  success: boolean
  limit: number
  remaining: number
  /** when the window resets, ms since the epoch */
  reset: number
  /** work the library left running (analytics); hand it to waitUntil */
  pending: Promise<unknown>
}

export interface RateLimiter {
  limit(scope: LimitScope, identifier: string): Promise<RateDecision>
}

// Clients already blocked are answered from memory (no Redis command) until
// their window resets; the cache must outlive one request to be of any use,
// so it lives as long as the isolate's parsed configuration.
const blockedCaches = new WeakMap<Config, Record<LimitScope, Map<string, number>>>()

/** Sliding-window limits in Redis via @upstash/ratelimit: per client IP, and tighter per user. */
export function upstashRateLimiter(redis: Redis, config: Config): RateLimiter {
  let caches = blockedCaches.get(config)
  if (!caches) blockedCaches.set(config, (caches = { ip: new Map(), user: new Map() }))
  const make = (scope: LimitScope, max: number, windowMs: number) =>
    new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(max, `${windowMs} ms`),
      prefix: `{${config.REDIS_PREFIX}}:rl:${scope}`,
      ephemeralCache: caches[scope],
      analytics: false,
      timeout: 0, // Redis errors surface to the caller, which decides to fail open or not
    })
  const limiters = {
    ip: make('ip', config.RATE_LIMIT_MAX_REQUESTS, config.RATE_LIMIT_WINDOW_MS),
    user: make('user', config.USER_RATE_LIMIT_MAX_REQUESTS, config.USER_RATE_LIMIT_WINDOW_MS),
  }
  return { limit: (scope, identifier) => limiters[scope].limit(identifier) }
}
