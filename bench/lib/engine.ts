import { Redis } from 'ioredis'
import { ioredisPort } from '../../src/engine/adapters/ioredis'
import { createEngine, createKeys, type Engine, type ScriptPort } from '../../src/engine'
import { reserveScript } from '../../src/engine/scripts'

export interface BenchEngine {
  redis: Redis
  port: ScriptPort
  engine: Engine
  prefix: string
  close(): void
}

/** The engine as Node tools use it: the ioredis adapter over one connection. */
export function benchEngine(redisUrl: string, prefix: string, holdSeconds = 3600): BenchEngine {
  const redis = new Redis(redisUrl)
  const port = ioredisPort(redis)
  const engine = createEngine(port, { prefix, holdSeconds, holdMaxSeconds: 2 * holdSeconds })
  return { redis, port, engine, prefix, close: () => redis.disconnect() }
}

/** Puts a product straight into Redis (no Postgres): name, stock, no limits. */
export async function addProduct(engine: Engine, id: number, total: number): Promise<void> {
  const init = { name: `bench ${id}`, total, sold: 0, priceCents: null, maxPerUser: null, saleStartsAt: null, saleEndsAt: null, stockVersion: 0 }
  await engine.initProduct(id, init)
}

/**
 * `n` holds of one unit on one product, one per user `<users>-<i>`, made fast:
 * the engine's own reserve script by EVALSHA, 1,000 to a pipeline, two
 * pipelines in flight. The script must be cached (call engine.reserve once first).
 */
export async function buildHolds(b: BenchEngine, productId: number, n: number, opts: { users: string; holdMs: number }): Promise<void> {
  const keys = createKeys(b.prefix)
  // unguarded: no address counted, no write windows (the script's header says what each is)
  const args = (user: string) => [user, String(productId), '1', String(opts.holdMs), String(opts.holdMs), '', '0', '', '', '', '', '']
  const batch = async (from: number, to: number) => {
    const pipe = b.redis.pipeline()
    for (let i = from; i < to; i++) {
      const user = `${opts.users}-${i}`
      const scriptKeys = [...keys.productArgs(productId), keys.userIndex(user), keys.unused, keys.unused]
      pipe.evalsha(reserveScript.sha, scriptKeys.length, ...scriptKeys, ...args(user))
    }
    const replies = (await pipe.exec()) ?? []
    const bad = replies.find(([err, reply]) => err || !Array.isArray(reply) || reply[3] !== 'OK')
    if (bad) throw new Error(`building holds: ${bad[0] ?? JSON.stringify(bad[1])}`)
  }
  const SIZE = 1000
  let next = 0
  const lane = async () => {
    while (next < n) {
      const from = next
      next = Math.min(n, next + SIZE)
      await batch(from, next)
    }
  }
  await Promise.all([lane(), lane()])
}

interface RedisCounters {
  scripts: number
  scriptUsec: number
  cpuSeconds: number
  at: bigint
}

async function redisCounters(redis: Redis): Promise<RedisCounters> {
  const stats = await redis.info('commandstats')
  const cpu = await redis.info('cpu')
  const sha = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(stats)
  const num = (re: RegExp) => Number(re.exec(cpu)?.[1] ?? 0)
  return {
    scripts: Number(sha?.[1] ?? 0),
    scriptUsec: Number(sha?.[2] ?? 0),
    cpuSeconds: num(/used_cpu_user:([\d.]+)/) + num(/used_cpu_sys:([\d.]+)/),
    at: process.hrtime.bigint(),
  }
}

/** What Redis itself spent during `run`: µs per EVALSHA (its own timing) and how busy its core was (0…1). */
export interface RedisCost {
  usPerScript: number
  cpuBusy: number
}

/**
 * A cheap profile: INFO commandstats and INFO cpu before and after. Figures
 * are for the whole server, so other clients of a shared Redis add a little.
 */
export async function withRedisCost<T>(redis: Redis, run: () => Promise<T>): Promise<{ result: T; redis: RedisCost }> {
  const before = await redisCounters(redis)
  const result = await run()
  const after = await redisCounters(redis)
  const calls = after.scripts - before.scripts
  const seconds = Number(after.at - before.at) / 1e9
  return {
    result,
    redis: {
      usPerScript: calls > 0 ? Math.round(((after.scriptUsec - before.scriptUsec) / calls) * 10) / 10 : 0,
      cpuBusy: Math.round(((after.cpuSeconds - before.cpuSeconds) / seconds) * 100) / 100,
    },
  }
}
