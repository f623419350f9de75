import { Redis } from '@upstash/redis/cloudflare'
import { createDb, type Db } from './db/client'
import { type Background, detached } from './lib/background'
import { upstashPort } from './engine/adapters/upstash'
import { createEngine, type Engine } from './engine/engine'
import type { ScriptPort } from './engine/port'
import { RefusalMemory } from './engine/refusal-memory'
import { perConfig } from './lib/per-config'
import type { Config } from './env'
import { createLogger, type Logger } from './lib/log'
import { upstashRateLimiter, type RateLimiter } from './limits/rate-limiter'

/** Everything a request needs from the outside world. */
export interface Deps {
  config: Config
  engine: Engine
  db: Db
  log: Logger
  /** per-address limit of reads and admin routes; absent where a caller builds deps without one (tools, benchmarks) */
  limiter?: RateLimiter
  /** runs work the answer does not wait for (src/lib/background.ts) */
  background: Background
}

/** What the platform gives one request beyond its env: a way to run work after the answer. */
export interface RequestScope {
  background?: Background
}

/** How a request's deps are made; `db` defaults to a Neon HTTP client per request. */
export interface DepsOptions extends RequestScope {
  limiter?: RateLimiter
  makeDb?: () => Db
}

// Redis answers in milliseconds; a request that has not come back by then
// is treated as Redis being down (503), never left hanging.
export const REDIS_TIMEOUT_MS = 3000

/** The one place the edge clients are built: Upstash over REST, Neon over HTTP. */
export function edgeDeps(config: Config, scope: RequestScope = {}): Deps {
  const redis = new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: 1, backoff: () => 50 },
    signal: () => AbortSignal.timeout(REDIS_TIMEOUT_MS),
  })
  return requestDeps(config, engineFor(upstashPort(redis), config), { ...scope, limiter: upstashRateLimiter(redis, config) })
}

/**
 * A request's deps around a shared engine. The Postgres client is made on
 * first use (most calls — reserve, status … — never touch Postgres), and
 * per request, since it carries that request's query deadline (a pooled
 * client, src/self-host/deps.ts, is handed in instead).
 */
export function requestDeps(config: Config, engine: Engine, options: DepsOptions = {}): Deps {
  const { limiter, makeDb = () => createDb(config) } = options
  const log = createLogger(config.LOG_LEVEL)
  let db: Db | undefined
  return {
    config,
    engine,
    limiter,
    get db() {
      db ??= makeDb()
      return db
    },
    log,
    background: options.background ?? detached,
  }
}

// Refused clients are remembered for as long as the isolate's parsed configuration lives.
const refusalMemory = perConfig((_: Config) => new RefusalMemory())

export function engineFor(port: ScriptPort, config: Config): Engine {
  return createEngine(port, {
    prefix: config.REDIS_PREFIX,
    holdSeconds: config.REDIS_TTL,
    holdMaxSeconds: config.HOLD_MAX_SECONDS,
    limits: {
      address: { max: config.RATE_LIMIT_MAX_REQUESTS, windowMs: config.RATE_LIMIT_WINDOW_MS },
      customer: { max: config.USER_RATE_LIMIT_MAX_REQUESTS, windowMs: config.USER_RATE_LIMIT_WINDOW_MS },
      maxHeldPerAddress: config.MAX_HELD_PER_ADDRESS,
    },
    refusals: refusalMemory(config),
  })
}
