import { Ratelimit } from '@upstash/ratelimit'
import type { Config } from '../env'
import { perConfig } from '../lib/per-config'

export interface RateDecision {
  success: boolean
  limit: number
  remaining: number
  /** when the window resets, ms since the epoch */
  reset: number
}

/** Per client address, for reads and admin routes (shopper writes are limited in their engine scripts). */
export interface RateLimiter {
  limit(identifier: string): Promise<RateDecision>
  /** The refusal of a client still blocked from an earlier refusal, from memory (no Redis command); else undefined. */
  remembered(identifier: string): RateDecision | undefined
}

/**
 * All @upstash/ratelimit calls on its client for these limiters (sliding
 * window, no analytics, no dynamic limits): EVALSHA, and EVAL after a reply
 * whose text contains NOSCRIPT. The @upstash/redis client is one; Node's is
 * `ioredisRatelimitClient` (src/limits/ratelimit-ioredis.ts).
 */
export interface RatelimitRedis {
  evalsha(sha: string, keys: string[], args: unknown[]): Promise<unknown>
  eval(script: string, keys: string[], args: unknown[]): Promise<unknown>
}

// Clients already blocked are answered from memory (no Redis command) until
// their window resets; the cache must outlive one request to be of any use,
// so it lives as long as the isolate's parsed configuration.
const blockedClients = perConfig((_: Config) => new Map<string, number>())

// The library's declared client type also lists get and set, which only its
// dynamic limits use.
type LibraryRedis = ConstructorParameters<typeof Ratelimit>[0]['redis']

/** A sliding-window limit per client address in Redis via @upstash/ratelimit (RATE_LIMIT_*). */
export function upstashRateLimiter(redis: RatelimitRedis, config: Config): RateLimiter {
  const prefix = `{${config.REDIS_PREFIX}}:rl:ip`
  const blocked = blockedClients(config)
  const limiter = new Ratelimit({
    redis: redis as unknown as LibraryRedis,
    limiter: Ratelimit.slidingWindow(config.RATE_LIMIT_MAX_REQUESTS, `${config.RATE_LIMIT_WINDOW_MS} ms`),
    prefix,
    ephemeralCache: blocked,
    analytics: false,
    timeout: 0, // Redis errors surface to the caller, which decides to fail open or not
  })
  // The library's `pending` (work left running) is always settled for this
  // limiter: no analytics, no deny list, one region. So nothing needs waitUntil.
  return {
    async limit(identifier) {
      const { success, limit, remaining, reset } = await limiter.limit(identifier)
      return { success, limit, remaining, reset }
    },
    remembered(identifier) {
      // The library keys its cache of blocked clients by prefix:identifier, the reset as the value.
      const reset = blocked.get(`${prefix}:${identifier}`)
      if (reset === undefined || reset < Date.now()) return undefined
      return { success: false, limit: config.RATE_LIMIT_MAX_REQUESTS, remaining: 0, reset }
    },
  }
}
