import { Redis, type RedisOptions } from 'ioredis'
import * as z from 'zod'
import { usesNeonHttp } from '../db/client'
import { createPooledDb } from '../db/node-postgres'
import { engineFor, REDIS_TIMEOUT_MS, requestDeps, type Deps } from '../deps'
import { ioredisPort } from '../engine/adapters/ioredis'
import type { Engine } from '../engine/engine'
import { ConfigError, parseConfig, type Config } from '../env'
import { createLogger } from '../lib/log'
import { upstashRateLimiter } from '../limits/rate-limiter'
import { DetachedTasks } from '../lib/background'
import { ioredisRatelimitClient } from '../limits/ratelimit-ioredis'

/** The app's configuration plus what only the self-hosted server reads. */
export interface SelfHostConfig extends Config {
  /** Redis over TCP (ioredis) for the engine and the rate limiter */
  REDIS_URL: string
  /** server processes sharing PORT (node:cluster); 1 = no cluster */
  WORKERS: number
}

const selfHostShape = z.object({
  REDIS_URL: z.preprocess(
    (v) => (v === '' || v === undefined ? 'redis://127.0.0.1:6379' : v),
    z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }),
  ),
  WORKERS: z.preprocess(
    (v) => (v === '' || v === undefined ? '1' : v),
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be at least 1').max(64, 'must be at most 64')),
  ),
})

/**
 * Reads the self-hosted server's configuration from the environment; throws
 * ConfigError naming every bad variable. The Upstash variables the schema
 * requires are not used here (Redis is reached over TCP), so they may be unset.
 */
export function parseSelfHostConfig(env: Record<string, string | undefined>): SelfHostConfig {
  const issues: ConfigError['issues'] = []
  let config: Config | undefined
  try {
    config = parseConfig({
      ...env,
      UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL || 'http://upstash.unused.invalid',
      UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN || 'unused',
    })
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    issues.push(...err.issues)
  }
  const own = selfHostShape.safeParse(env)
  if (!own.success) issues.push(...own.error.issues.map((i) => ({ variable: i.path.join('.'), message: i.message })))
  if (!config || !own.success) throw new ConfigError(issues)
  return { ...config, ...own.data }
}

/**
 * The one definition of the self-hosted server's Redis connection.
 * Commands that get no answer within `timeoutMs` fail (503), as on the edge;
 * one retry after a reconnect, so a dead Redis rejects rather than queues.
 * Auto-pipelining sends the commands of all requests issued in one tick as
 * one write: under a stampede that is far fewer syscalls (+15-20 % req/s in bench/).
 */
export function selfHostRedisOptions(timeoutMs = REDIS_TIMEOUT_MS): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableAutoPipelining: true,
  }
}

export interface SelfHost {
  /** the one Redis connection of this process: engine and rate limiter */
  redis: Redis
  engine: Engine
  /** how DATABASE_URL is reached */
  postgres: 'node-postgres' | 'neon-http'
  /** one request's deps (the reconciler's too) */
  deps(): Deps
  /** quits Redis and ends the Postgres pool */
  close(): Promise<void>
}

export interface SelfHostOptions {
  /** Redis connect and command timeout; tests shorten it */
  redisTimeoutMs?: number
  /** Postgres statement deadline (node-postgres); tests shorten it */
  queryDeadlineMs?: number
}

/**
 * The self-hosted server's deps, built once per process: Redis over TCP
 * (ioredis) shared by the engine and the rate limiter, and Postgres over
 * node-postgres (one pool) or, for a Neon endpoint, over Neon's HTTP driver
 * (a client per request, as on the edge). Used by src/entry/node.ts, the
 * benchmark's self-host peer and the tests.
 */
export function selfHostDeps(config: Config & Pick<SelfHostConfig, 'REDIS_URL'>, options: SelfHostOptions = {}): SelfHost {
  const log = createLogger(config.LOG_LEVEL)
  const redis = new Redis(config.REDIS_URL, selfHostRedisOptions(options.redisTimeoutMs))
  // Errors before the first connection are the start-up check's to report
  // (src/self-host/startup.ts); after it, each is a warning while ioredis reconnects.
  let connected = false
  redis.once('ready', () => (connected = true))
  redis.on('error', (err) => connected && log('warn', 'redis_error', { message: err.message }))

  const engine = engineFor(ioredisPort(redis), config)
  // The limiter's cache of blocked clients must outlive requests: one per process.
  const limiter = upstashRateLimiter(ioredisRatelimitClient(redis), config)
  const tasks = new DetachedTasks()
  const neonHttp = usesNeonHttp(config)
  const pooled = neonHttp
    ? undefined
    : createPooledDb(config.DATABASE_URL, {
        deadlineMs: options.queryDeadlineMs,
        onError: (err) => log('warn', 'postgres_error', { message: err.message }),
      })
  // Without a pool, requestDeps makes a Neon HTTP client per request, as on the edge.
  const makeDb = pooled ? () => pooled.db : undefined
  return {
    redis,
    engine,
    postgres: neonHttp ? 'neon-http' : 'node-postgres',
    // Work after an answer (a checkout's settle) runs detached; closing waits for it.
    deps: () => requestDeps(config, engine, { limiter, makeDb, background: tasks.run }),
    close: async () => {
      await tasks.idle()
      // QUIT waits for the replies still due; a connection that never came up has none.
      const quit = redis.status === 'ready' ? redis.quit().catch(() => redis.disconnect()) : redis.disconnect()
      await Promise.all([quit, pooled?.close()])
    },
  }
}
