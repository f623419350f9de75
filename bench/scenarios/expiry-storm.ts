import { closedLoop } from '../lib/closed-loop'
import { addProduct, benchEngine, buildHolds } from '../lib/engine'
import type { BenchEnv } from '../lib/env'
import { msSince, ratio, round, sleep, timed } from '../lib/stats'
import { explain, target } from '../lib/target'
import type { Profile, ScenarioResult } from '../lib/types'

const PRODUCT = 1
const CONCURRENCY = 50

/**
 * Scenario 4: N holds lapse together, then reserves come in. The first one
 * after the lapse gives every lapsed unit back (its script purges them); the
 * rest, 50 in flight, must not wait long behind it.
 */
export async function expiryStorm(env: BenchEnv, profile: Profile): Promise<ScenarioResult> {
  const prefix = env.prefix('storm')
  const b = benchEngine(env.redisUrl, prefix)
  const n = profile.stormHolds
  const spare = profile.stormReserves // stock left for the reserves after the storm
  try {
    const { engine } = b
    await addProduct(engine, PRODUCT, n + spare)
    await engine.reserve('warm', PRODUCT, 1)
    await engine.release('warm', PRODUCT)

    // The holds all end within the build time of each other; the build must end before the first lapses.
    const t0 = process.hrtime.bigint()
    await buildHolds(b, PRODUCT, n, { users: 'storm', holdMs: profile.stormHoldMs })
    const buildMs = msSince(t0)
    if (buildMs >= profile.stormHoldMs) throw new Error(`building ${n} holds took ${Math.round(buildMs)} ms, longer than they last`)
    const held = await engine.status(PRODUCT)
    if (!held.ok || held.available !== spare) throw new Error(`after the build: ${JSON.stringify(held)}`)
    await sleep(profile.stormHoldMs + 300) // the last hold was made just now: every expiry is then behind us

    const first = await timed(() => engine.reserve('first-after', PRODUCT, 1))
    if (!first.value.ok) throw new Error(`first reserve after the storm: ${JSON.stringify(first.value)}`)
    const status = await engine.status(PRODUCT)
    const allBack = status.ok && status.available === status.total - 1 && status.reserved === 1
    const rest = await closedLoop({ concurrency: CONCURRENCY, durationMs: 30_000, maxOps: profile.stormReserves - 1 }, async (i) =>
      (await engine.reserve(`after-${i}`, PRODUCT, 1)).ok,
    )
    const worst = round(Math.max(first.ms, rest.latency.max))

    return {
      id: 'storm',
      title: `Expiry storm: ${n.toLocaleString('en-US')} holds lapse together, then ${profile.stormReserves} reserves`,
      tables: [
        {
          title: 'reserve latency after the lapse, ms',
          columns: ['call', 'count', 'p50', 'p99', 'max'],
          rows: [
            [`first reserve (purges ${n.toLocaleString('en-US')} lapsed holds)`, 1, round(first.ms), round(first.ms), round(first.ms)],
            [`the next ${rest.ops} reserves, ${CONCURRENCY} in flight`, rest.ops, rest.latency.p50, rest.latency.p99, rest.latency.max],
          ],
        },
        {
          title: 'stock after the first reserve',
          columns: ['total', 'reserved', 'available', 'every lapsed unit back on sale'],
          rows: [status.ok ? [status.total, status.reserved, status.available, allBack ? 'yes' : 'NO'] : ['-', '-', '-', 'NO']],
        },
      ],
      targets: [
        explain(
          target('storm.worst', 'worst reserve latency after the lapse', worst, '<=', 50, ' ms'),
          `the first reserve purged ${n.toLocaleString('en-US')} lapsed holds in its one script (${round(first.ms)} ms): purge_expired loops until none is left, ` +
            'and every call queued behind it waits as long (see BENCHMARKS.md)',
        ),
        target('storm.back', 'lapsed units back on sale after the first op', allBack ? 1 : 0, '==', 1),
      ],
      data: {
        holds: n,
        buildMs: round(buildMs),
        holdMs: profile.stormHoldMs,
        firstMs: round(first.ms),
        rest,
        firstVsTypical: ratio(first.ms, rest.latency.p50),
        status,
      },
    }
  } finally {
    b.close()
    await env.drop(prefix)
  }
}
