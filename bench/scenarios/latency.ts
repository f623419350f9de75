import { startLocalStack } from '../../dev/local-stack'
import { api as apiOf, type Api, type Reply } from '../lib/api'
import type { BenchEnv } from '../lib/env'
import { traceCall, type CallTrace, type StoreSpan } from '../../dev/round-trips'
import { startWranglerDev } from '../lib/server-process'
import { latency, round as roundMs, sleep, type Latency } from '../lib/stats'
import { explain, target } from '../lib/target'
import type { Profile, ScenarioResult, Table, Target } from '../lib/types'
import { BENCH_ADMIN_TOKEN } from '../peers/flash-deal'

/** Simulated store round trips, ms: next door, another region, another continent. */
export const RTTS = [0, 20, 80] as const
const PRICE = '10.00'

const CALLS = ['none', 'reserve', 'bulk', 'cancel', 'status', 'cached', 'listing', 'checkout'] as const
type CallName = (typeof CALLS)[number]

/** What issue 16 asks of each call: sequential store round trips before the answer. */
const GOAL_ROUND_TRIPS: Record<CallName, number> = { none: 0, reserve: 1, bulk: 1, cancel: 1, status: 1, cached: 0, listing: 1, checkout: 2 }
const LABEL: Record<CallName, string> = {
  none: 'no store: an unknown path (404)',
  reserve: 'reserve',
  bulk: 'bulk reserve of 2',
  cancel: 'cancel',
  status: 'status (a URL of its own each time: never cached)',
  cached: 'status from the Workers cache (PUBLIC_READ_CACHE_SECONDS)',
  listing: 'listing (GET /api/users/:id/reservations)',
  checkout: 'checkout',
}

interface Sample {
  call: CallName
  ms: number
  trace: CallTrace
}

/**
 * Every limit on and checked (the write windows and the address's hold count
 * run in the scripts, the read limiter per address), none biting: one client
 * address makes every call.
 */
const COUNTED_LIMITS = { RATE_LIMIT_MAX_REQUESTS: '1000000', USER_RATE_LIMIT_MAX_REQUESTS: '1000000', MAX_HELD_PER_ADDRESS: '1000000' }
/** Long enough that the status the warm-up round cached is still there in the last round. */
const CACHE_SECONDS = '3600'

/**
 * One customer's round, timed call by call: reserve, bulk reserve of two
 * other products, cancel one of them, status, listing, checkout of the first
 * hold. After each call a quiet gap (2 × RTT + 50 ms) lets anything it left
 * running (waitUntil) finish, so the spans that arrive between one call and
 * the next are that call's.
 */
async function round(a: Api, spans: StoreSpan[], rttMs: number, user: string, products: [number, number, number]): Promise<Sample[]> {
  const [p, q, r] = products
  const steps: [CallName, () => Promise<Reply>, number][] = [
    ['none', () => a.call('GET', '/api/no-such-route'), 404],
    ['reserve', () => a.call('POST', '/api/reserve', { user_id: user, product_id: p, quantity: 1 }), 201],
    [
      'bulk',
      () =>
        a.call('POST', '/api/reserve/bulk', {
          user_id: user,
          items: [
            { product_id: q, quantity: 1 },
            { product_id: r, quantity: 1 },
          ],
        }),
      201,
    ],
    ['cancel', () => a.call('DELETE', `/api/reserve/${user}/${q}`), 200],
    // A query the route ignores makes each status a URL of its own, so only the next call is a cache hit.
    ['status', () => a.call('GET', `/api/products/${p}/status?round=${user}`), 200],
    ['cached', () => a.call('GET', `/api/products/${p}/status`), 200],
    ['listing', () => a.call('GET', `/api/users/${user}/reservations`), 200],
    ['checkout', () => a.call('POST', '/api/checkout', { user_id: user, product_id: p, quantity: 1, total_amount: PRICE }), 201],
  ]
  const samples: Sample[] = []
  for (const [call, send, status] of steps) {
    const from = spans.length
    const reply = await send()
    const answeredAt = performance.now()
    if (reply.status !== status) throw new Error(`${call} at RTT ${rttMs} ms: ${reply.status} ${JSON.stringify(reply.body)}`)
    await sleep(2 * rttMs + 50)
    samples.push({ call, ms: reply.ms, trace: traceCall(spans.slice(from), answeredAt) })
  }
  return samples
}

/** The same calls through one Worker against stores `rttMs` away. */
async function atRtt(env: BenchEnv, databaseUrl: string, rttMs: number, rounds: number): Promise<Sample[]> {
  const spans: StoreSpan[] = []
  const stack = await startLocalStack({
    redisUrl: env.redisUrl,
    database: { kind: 'postgres', url: databaseUrl },
    migrate: false,
    rttMs,
    onRequest: (s) => spans.push(s),
  })
  try {
    const vars = {
      ...stack.vars,
      REDIS_PREFIX: env.prefix(`latency_${rttMs}`),
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      PUBLIC_READ_CACHE_SECONDS: CACHE_SECONDS,
      ...COUNTED_LIMITS,
    }
    const worker = await startWranglerDev(vars)
    try {
      const a = apiOf(worker.url)
      const stock = 10 * (rounds + 1)
      const products = (await Promise.all([0, 1, 2].map((i) => a.product({ name: `Far ${i}`, total_stock: stock, price: PRICE })))) as [
        number,
        number,
        number,
      ]
      await round(a, spans, rttMs, 'warm-up', products) // loads the products into Redis, the scripts into its cache, the isolate
      const samples: Sample[] = []
      for (let i = 0; i < rounds; i++) samples.push(...(await round(a, spans, rttMs, `far-${rttMs}-${i}`, products)))
      return samples
    } finally {
      await worker.stop()
    }
  } finally {
    await stack.close()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
const range = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? String(xs[0]) : `${Math.min(...xs)}–${Math.max(...xs)}`)
/** The commonest value of a list of labels. */
const commonest = (xs: string[]) =>
  [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())].sort((a, b) => b[1] - a[1])[0]![0]

interface Row {
  rtt: number
  call: CallName
  latency: Latency
  /** median sequential round trips before the answer, and their range over the samples */
  roundTrips: number
  roundTripRange: string
  /** median ms of the call spent outside the stores (the client's time minus the stores' busy time) */
  outsideMs: number
  requests: number
  afterAnswer: number
  path: string
}

/**
 * Scenario 8 (issue 16, item 2): the Worker in workerd (`wrangler dev`)
 * against the local Upstash and Neon servers with a simulated store round
 * trip of 0, 20 and 80 ms (startLocalStack's rttMs: both servers wait that
 * long before answering). For reserve, bulk, cancel, status, listing and
 * checkout: p50/p99 as the client sees them, and the store round trips each
 * made — counted from when every store request arrived and was answered
 * (onRequest spans), not inferred.
 */
export async function latencyScenario(env: BenchEnv, profile: Profile): Promise<ScenarioResult> {
  const db = await env.database('latency')
  const rows: Row[] = []
  for (const rtt of RTTS) {
    const samples = await atRtt(env, db.url, rtt, profile.rttSamples)
    for (const call of CALLS) {
      const mine = samples.filter((s) => s.call === call)
      const trips = mine.map((s) => s.trace.beforeAnswer)
      rows.push({
        rtt,
        call,
        latency: latency(mine.map((s) => s.ms)),
        roundTrips: median(trips),
        roundTripRange: range(trips),
        outsideMs: roundMs(median(mine.map((s) => s.ms - s.trace.storeMs))),
        requests: median(mine.map((s) => s.trace.requests)),
        afterAnswer: median(mine.map((s) => s.trace.afterAnswer)),
        path: commonest(mine.map((s) => s.trace.path)),
      })
    }
  }
  const far = Math.max(...RTTS)
  const at = (call: CallName, rtt: number) => rows.find((r) => r.call === call && r.rtt === rtt)!
  const tripsOf = (r: Row) => `${r.path} (${r.requests} store requests, ${r.afterAnswer} after the answer)`
  const targets: Target[] = [
    ...CALLS.filter((call) => call !== 'none').map((call) =>
      explain(
        target(
          `latency.trips-${call}`,
          `${call}: sequential store round trips before the answer (RTT ${far} ms)`,
          at(call, far).roundTrips,
          '<=',
          GOAL_ROUND_TRIPS[call],
        ),
        `counted: ${tripsOf(at(call, far))}`,
      ),
    ),
    explain(
      target('latency.cached-requests', `status from the cache: store requests (RTT ${far} ms)`, at('cached', far).requests, '==', 0),
      `p50 ${at('cached', far).latency.p50} ms against ${at('status', far).latency.p50} ms for a status read from Redis`,
    ),
    explain(
      target('latency.reserve-p50', `reserve p50 at RTT ${far} ms`, at('reserve', far).latency.p50, '<=', far + 15, ' ms'),
      `${at('reserve', far).roundTrips} sequential round trip(s) of ${far} ms; ${at('reserve', far).outsideMs} ms outside the stores (workerd, wrangler dev's proxy, loopback; ${at('none', far).latency.p50} ms for a call with no store)`,
    ),
    explain(
      target('latency.checkout-p50', `checkout p50 at RTT ${far} ms`, at('checkout', far).latency.p50, '<=', 2 * far + 20, ' ms'),
      `${at('checkout', far).roundTrips} sequential round trips of ${far} ms before the answer; ${at('checkout', far).outsideMs} ms outside the stores`,
    ),
  ]
  const table: Table = {
    title: `through workerd (npx wrangler dev), one call at a time, ${profile.rttSamples} samples per call and RTT; round trips = sequential store requests answered before the client had its answer (median, range)`,
    columns: [
      'RTT ms',
      'call',
      'p50 ms',
      'p99 ms',
      'round trips',
      'range',
      'goal',
      'ms outside the stores (p50)',
      'store requests',
      'after the answer',
      'what it waited for',
    ],
    rows: rows.map((r) => [
      r.rtt,
      LABEL[r.call],
      r.latency.p50,
      r.latency.p99,
      r.roundTrips,
      r.roundTripRange,
      GOAL_ROUND_TRIPS[r.call],
      r.outsideMs,
      r.requests,
      r.afterAnswer,
      r.path || '-',
    ]),
  }
  return {
    id: 'latency',
    title: `Latency with far stores: simulated store RTT ${RTTS.join(', ')} ms, through workerd`,
    tables: [table],
    targets,
    data: { rtts: RTTS, rows },
  }
}
