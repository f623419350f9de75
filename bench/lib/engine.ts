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
 * `n` calls of a cached script, made fast: EVALSHA, 1,000 to a pipeline, two
 * pipelines in flight. `call(i)` gives the i-th call's keys and arguments;
 * every reply must pass `ok`.
 */
export async function pipelinedScripts(
  redis: Redis,
  sha: string,
  n: number,
  call: (i: number) => { keys: string[]; args: string[] },
  ok: (reply: unknown) => boolean,
): Promise<void> {
  const batch = async (from: number, to: number) => {
    const pipe = redis.pipeline()
    for (let i = from; i < to; i++) {
      const { keys, args } = call(i)
      pipe.evalsha(sha, keys.length, ...keys, ...args)
    }
    const replies = (await pipe.exec()) ?? []
    const bad = replies.find(([err, reply]) => err || !ok(reply))
    if (bad) throw new Error(`pipelined script: ${bad[0] ?? JSON.stringify(bad[1])}`)
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

/**
 * `n` holds of one unit on one product, one per user `<users>-<i>`, by the
 * engine's own reserve script (pipelinedScripts). The script must be cached
 * (call engine.reserve once first).
 */
export async function buildHolds(b: BenchEngine, productId: number, n: number, opts: { users: string; holdMs: number }): Promise<void> {
  const keys = createKeys(b.prefix)
  // unguarded: no address counted, no write windows, no admission (the script's header says what each is)
  const args = (user: string) => [user, String(productId), '1', String(opts.holdMs), String(opts.holdMs), '', '0', '', '', '', '', '']
  await pipelinedScripts(
    b.redis,
    reserveScript.sha,
    n,
    (i) => {
      const user = `${opts.users}-${i}`
      return { keys: [...keys.productArgs(productId), keys.userIndex(user), keys.unused, keys.unused], args: args(user) }
    },
    (reply) => Array.isArray(reply) && reply[3] === 'OK',
  )
}

/** Redis's INFO used_memory, bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1])
}

/** MEMORY USAGE of a key, all of it (SAMPLES 0); 0 when there is no such key. */
export async function keyBytes(redis: Redis, key: string): Promise<number> {
  return Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) || 0
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
