import { createHash } from 'node:crypto'
import { runScript, type LuaScript } from '../../src/engine'
import { closedLoop, type LoopResult } from '../lib/closed-loop'
import { addProduct, benchEngine, buildHolds, withRedisCost, type RedisCost } from '../lib/engine'
import type { BenchEnv } from '../lib/env'
import { ratio } from '../lib/stats'
import { explain, target } from '../lib/target'
import type { Profile, ScenarioResult } from '../lib/types'

const CONCURRENCY = 50
const floorSource = "return redis.call('INCRBY', KEYS[1], 1)"
/** The Redis floor: the cheapest script there is, through the same port and EVALSHA. */
const FLOOR: LuaScript = { name: 'floor', source: floorSource, sha: createHash('sha1').update(floorSource).digest('hex') }

const [GROW, CHURN, SOLD_OUT] = [1, 2, 3]
const SOLD_OUT_STOCK = 1000

/**
 * Scenario 1: the reserve script through the ioredis adapter against a
 * trivial script, both 50 in flight on one connection, one hot product.
 * The floor runs first and last; the engine is compared with their mean.
 */
export async function engineFloor(env: BenchEnv, profile: Profile): Promise<ScenarioResult> {
  const prefix = env.prefix('engine')
  const b = benchEngine(env.redisUrl, prefix)
  try {
    const { engine } = b
    await addProduct(engine, GROW, 1_000_000_000)
    await addProduct(engine, CHURN, 1_000_000_000)
    await addProduct(engine, SOLD_OUT, SOLD_OUT_STOCK)
    await engine.reserve('warm', GROW, 1) // caches the script
    await buildHolds(b, SOLD_OUT, SOLD_OUT_STOCK, { users: 'held', holdMs: 3_600_000 })

    const floorKey = `{${prefix}}:floor`
    const ops = {
      floor: async () => typeof (await runScript(b.port, FLOOR, [floorKey], [])) === 'number',
      grow: async (i: number) => (await engine.reserve(`g-${i}`, GROW, 1)).ok,
      // one op = reserve then release by the same user: two scripts
      churn: async (i: number) => (await engine.reserve(`c-${i}`, CHURN, 1)).ok && (await engine.release(`c-${i}`, CHURN)).ok,
      soldOut: async (i: number) => {
        const r = await engine.reserve(`s-${i}`, SOLD_OUT, 1)
        return !r.ok && r.reason === 'INSUFFICIENT_STOCK'
      },
    }
    type Measured = LoopResult & { redis: RedisCost }
    const run = async (op: (i: number) => Promise<boolean>, ms = profile.engineMs): Promise<Measured> => {
      const { result, redis } = await withRedisCost(b.redis, () => closedLoop({ concurrency: CONCURRENCY, durationMs: ms }, op))
      return { ...result, redis }
    }
    for (const op of Object.values(ops)) await run(op, 300) // warm-up

    const floorBefore = await run(ops.floor)
    const grow = await run(ops.grow)
    const churnPairs = await run(ops.churn)
    const soldOut = await run(ops.soldOut)
    const floorAfter = await run(ops.floor)
    const churn: Measured = { ...churnPairs, ops: churnPairs.ops * 2, opsPerSec: churnPairs.opsPerSec * 2 }
    const floor = Math.round((floorBefore.opsPerSec + floorAfter.opsPerSec) / 2)

    const runs: [string, Measured][] = [
      ['floor: INCRBY script (first)', floorBefore],
      ['reserve, grow (new hold each call)', grow],
      ['reserve + release, churn (per script)', churn],
      ['reserve refused, sold out', soldOut],
      ['floor: INCRBY script (last)', floorAfter],
    ]
    const floorUs = (floorBefore.redis.usPerScript + floorAfter.redis.usPerScript) / 2
    const why = (r: Measured) =>
      `Redis's core ${Math.round(r.redis.cpuBusy * 100)}% busy at ${r.redis.usPerScript} µs/script vs ${floorUs.toFixed(1)} µs for the floor: ` +
      "the script's own redis.call()s inside Redis are the cost, not the client"
    const ratios = { grow: ratio(grow.opsPerSec, floor), churn: ratio(churn.opsPerSec, floor), soldOut: ratio(soldOut.opsPerSec, floor) }
    return {
      id: 'engine',
      title: `Engine vs the Redis floor (ioredis, ${CONCURRENCY} in flight, one product)`,
      tables: [
        {
          title: 'scripts per second',
          columns: ['run', 'scripts/s', 'ratio to floor', 'p50 ms', 'p99 ms', 'Redis µs/script', 'Redis core busy', 'unexpected answers'],
          rows: runs.map(([name, r]) => [
            name,
            r.opsPerSec,
            ratio(r.opsPerSec, floor),
            r.latency.p50,
            r.latency.p99,
            r.redis.usPerScript,
            r.redis.cpuBusy,
            r.failures,
          ]),
        },
      ],
      targets: [
        explain(target('engine.grow', 'engine grow ÷ Redis floor', ratios.grow, '>=', 0.7), why(grow)),
        explain(target('engine.churn', 'engine churn ÷ Redis floor', ratios.churn, '>=', 0.7), why(churn)),
        explain(target('engine.soldout', 'engine sold-out ÷ Redis floor', ratios.soldOut, '>=', 0.7), why(soldOut)),
      ],
      data: {
        concurrency: CONCURRENCY,
        floorOpsPerSec: floor,
        runs: Object.fromEntries(runs.map(([name, r]) => [name, r])),
        ratios,
        note: 'churn latency is per reserve+release pair; its scripts/s counts both scripts',
      },
    }
  } finally {
    b.close()
    await env.drop(prefix)
  }
}
