import { closedLoop } from '../lib/closed-loop'
import { addProduct, benchEngine, buildHolds, type BenchEngine } from '../lib/engine'
import type { BenchEnv } from '../lib/env'
import { msSince, round, sleep, timed } from '../lib/stats'
import { explain, target } from '../lib/target'
import type { Profile, ScenarioResult } from '../lib/types'
import { createKeys } from '../../src/engine'

const SHOPPERS = 1 // product the 1,000 ordinary reserves go to
const WHALE = 2 // product whose first op after the lapse needs every lapsed unit
const CONCURRENCY = 50
const POLL_MS = 5

/** Builds n one-unit holds that all lapse within the build time of each other, and waits them out. */
async function lapsedHolds(b: BenchEngine, productId: number, n: number, holdMs: number): Promise<number> {
  const t0 = process.hrtime.bigint()
  await buildHolds(b, productId, n, { users: `storm-${productId}`, holdMs })
  const buildMs = msSince(t0)
  // A build longer than a hold would have its own reserves purge the earliest ones.
  if (buildMs >= holdMs) throw new Error(`building ${n} holds took ${Math.round(buildMs)} ms, longer than they last`)
  await sleep(holdMs + 300) // the last hold was made just now: every expiry is then behind us
  return buildMs
}

/** Lapsed holds still stored on a product (what the purges have not reached yet). */
async function stored(b: BenchEngine, productId: number): Promise<number> {
  return b.redis.zcount(createKeys(b.prefix).product(productId).exp, '-inf', Date.now())
}

/**
 * Scenario 4: N holds lapse together. Every call purges one bounded batch of
 * them, so the 1,000 reserves that follow (50 in flight) each pay a little
 * and none pays for the storm; status, which must be exact, purges the rest.
 * On a second product the first op after the lapse is a reserve that needs
 * every lapsed unit: it must get them, and it alone pays for purging them all.
 */
export async function expiryStorm(env: BenchEnv, profile: Profile): Promise<ScenarioResult> {
  const prefix = env.prefix('storm')
  const b = benchEngine(env.redisUrl, prefix)
  const n = profile.stormHolds
  const reserves = profile.stormReserves
  try {
    const { engine } = b
    await addProduct(engine, SHOPPERS, n + reserves)
    await addProduct(engine, WHALE, n)
    await engine.reserve('warm', SHOPPERS, 1) // loads the script
    await engine.release('warm', SHOPPERS)

    const buildMs = await lapsedHolds(b, SHOPPERS, n, profile.stormHoldMs)
    const first = await timed(() => engine.reserve('first-after', SHOPPERS, 1))
    if (!first.value.ok) throw new Error(`first reserve after the storm: ${JSON.stringify(first.value)}`)
    const leftAfterFirst = await stored(b, SHOPPERS)

    // When did ordinary reserves alone leave no lapsed hold stored? Polled beside the load.
    const stormStart = process.hrtime.bigint()
    let clearedMs: number | null = leftAfterFirst === 0 ? 0 : null
    let polling = true
    const poller = (async () => {
      while (polling && clearedMs === null) {
        if ((await stored(b, SHOPPERS)) === 0) clearedMs = msSince(stormStart)
        else await sleep(POLL_MS)
      }
    })()
    const rest = await closedLoop(
      { concurrency: CONCURRENCY, durationMs: 30_000, maxOps: reserves - 1 },
      async (i) => (await engine.reserve(`after-${i}`, SHOPPERS, 1)).ok,
    )
    polling = false
    await poller
    const leftAfterAll = await stored(b, SHOPPERS)

    const status = await timed(() => engine.status(SHOPPERS))
    const s = status.value
    const exact = s.ok && s.reserved === reserves && s.available === s.total - reserves

    await lapsedHolds(b, WHALE, n, profile.stormHoldMs)
    const whale = await timed(() => engine.reserve('whale', WHALE, n))
    const whaleOk = whale.value.ok && whale.value.quantity === n

    const worst = round(Math.max(first.ms, rest.latency.max))
    const count = n.toLocaleString('en-US')
    return {
      id: 'storm',
      title: `Expiry storm: ${count} holds lapse together, then ${reserves} reserves`,
      tables: [
        {
          title: 'latency after the lapse, ms',
          columns: ['call', 'count', 'p50', 'p99', 'max'],
          rows: [
            ['first reserve (purges one batch)', 1, round(first.ms), round(first.ms), round(first.ms)],
            [`the next ${rest.ops} reserves, ${CONCURRENCY} in flight`, rest.ops, rest.latency.p50, rest.latency.p99, rest.latency.max],
            ['then status (exact: purges whatever is left)', 1, round(status.ms), round(status.ms), round(status.ms)],
            [`other product: first op reserves all ${count} lapsed units`, 1, round(whale.ms), round(whale.ms), round(whale.ms)],
          ],
        },
        {
          title: 'lapsed holds still stored, and the stock',
          columns: [
            'after the first reserve',
            `after ${rest.ops + 1} reserves`,
            'gone by ordinary reserves after, ms',
            'status: reserved / available',
            'whale reserve of every lapsed unit',
          ],
          rows: [
            [
              leftAfterFirst,
              leftAfterAll,
              clearedMs === null ? 'not within the run' : round(clearedMs),
              s.ok ? `${s.reserved} / ${s.available}` : 'not loaded',
              whaleOk ? 'granted' : `REFUSED ${JSON.stringify(whale.value)}`,
            ],
          ],
        },
      ],
      targets: [
        explain(
          target('storm.worst', `worst of the ${reserves} reserves after the lapse`, worst, '<=', 50, ' ms'),
          'each reserve purges at most one batch (200 holds) unless it is short of stock; a miss here is the shared machine queueing',
        ),
        target('storm.back', 'every lapsed unit on sale to the next op (exact status; whale granted)', exact && whaleOk ? 1 : 0, '==', 1),
      ],
      data: {
        holds: n,
        buildMs: round(buildMs),
        holdMs: profile.stormHoldMs,
        firstMs: round(first.ms),
        rest,
        leftAfterFirst,
        leftAfterAll,
        clearedMs: clearedMs === null ? null : round(clearedMs),
        statusMs: round(status.ms),
        status: s,
        whaleMs: round(whale.ms),
        whaleOk,
      },
    }
  } finally {
    b.close()
    await env.drop(prefix)
  }
}
