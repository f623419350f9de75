import { Ratelimit } from '@upstash/ratelimit'
import type { Config } from './env'

export type LimitScope = 'ip' | 'user'

export interface RateDecision {
  success: boolean
  limit: number
  remaining: number
  /** when the window resets, ms since the epoch */
  reset: number
}

export interface RateLimiter {
  limit(scope: LimitScope, identifier: string): Promise<RateDecision>
}

/**
 * All @upstash/ratelimit calls on its client for these limiters (sliding
 * window, no analytics, no dynamic limits): EVALSHA, and EVAL after a reply
 * whose text contains NOSCRIPT. The @upstash/redis client is one; Node's is
 * `ioredisRatelimitClient` (src/ratelimit-ioredis.ts).
 */
export interface RatelimitRedis {
  evalsha(sha: string, keys: string[], args: unknown[]): Promise<unknown>
  eval(script: string, keys: string[], args: unknown[]): Promise<unknown>
}

// Clients already blocked are answered from memory (no Redis command) until
// their window resets; the cache must outlive one request to be of any use,
// so it lives as long as the isolate's parsed configuration.
const blockedCaches = new WeakMap<Config, Record<LimitScope, Map<string, number>>>()

// The library's declared client type also lists get and set, which only its
// dynamic limits use.
type LibraryRedis = ConstructorParameters<typeof Ratelimit>[0]['redis']

/** Sliding-window limits in Redis via @upstash/ratelimit: per client IP, and tighter per user. */
export function upstashRateLimiter(redis: RatelimitRedis, config: Config): RateLimiter {
  let caches = blockedCaches.get(config)
  if (!caches) blockedCaches.set(config, (caches = { ip: new Map(), user: new Map() }))
  const make = (scope: LimitScope, max: number, windowMs: number) =>
    new Ratelimit({
      redis: redis as unknown as LibraryRedis,
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
  // The library's `pending` (work left running) is always settled for these
  // limiters: no analytics, no deny list, one region. So nothing needs waitUntil.
  return {
    async limit(scope, identifier) {
      const { success, limit, remaining, reset } = await limiters[scope].limit(identifier)
      return { success, limit, remaining, reset }
    },
  }
}
