import type { StoreVars } from '../../dev/local-stack'
import { startChild } from '../lib/child'
import type { BenchEnv } from '../lib/env'
import { buildSelfHost, startBuiltSelfHost } from '../lib/server-process'
import { ratio } from '../lib/stats'
import { explain, target } from '../lib/target'
import type { Profile, ScenarioResult, Target } from '../lib/types'
import { BENCH_ADMIN_TOKEN, UNLIMITED } from '../peers/flash-deal'
import { BUILT, engineCeiling, fetchCeiling, KINDS, loadRun, merge, SERVERS, type Kind, type Run, type Served } from './http-runs'

/**
 * Scenario 2: POST /api/reserve on one hot product over HTTP, each server in
 * a process of its own, autocannon in this one. Servers take turns (each
 * round runs every server at every connection count), so the noise of a
 * shared machine falls on all of them alike.
 */
export async function httpReserve(env: BenchEnv, profile: Profile): Promise<ScenarioResult> {
  const [appDb, peerDb] = [await env.database('http'), await env.database('pgonly')]
  const children: { stop(): Promise<void> }[] = []
  buildSelfHost()
  try {
    const stack = await startChild<StoreVars>('bench/peers/serve.ts', ['stack'], {
      BENCH_PEER: JSON.stringify({ redisUrl: env.redisUrl, databaseUrl: appDb.url }),
    })
    children.push(stack)
    // Each server counts in a namespace of its own: one address's write window is per namespace.
    const start = async (kind: Kind): Promise<Served> => {
      const prefix = env.prefix(`http_${kind}`)
      const workers = BUILT[kind]
      if (workers) {
        const vars = {
          REDIS_URL: env.redisUrl,
          DATABASE_URL: appDb.url,
          REDIS_PREFIX: prefix,
          LOG_LEVEL: 'silent',
          ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
          WORKERS: String(workers),
          ...UNLIMITED,
        }
        const server = await startBuiltSelfHost(vars)
        return { info: { port: server.port }, pid: server.pid, stop: server.stop }
      }
      const options = { redisUrl: env.redisUrl, prefix, databaseUrl: peerDb.url, vars: stack.info }
      return startChild<{ port: number }>('bench/peers/serve.ts', [kind], { BENCH_PEER: JSON.stringify(options) })
    }
    const servers = await Promise.all(KINDS.map(start))
    children.push(...servers)
    const server = Object.fromEntries(KINDS.map((kind, i) => [kind, servers[i]!])) as Record<Kind, Served>
    const prefix = env.prefix('http_engine')

    // Warm-up: a Node server needs a few thousand requests before its JIT settles.
    for (const kind of KINDS) await loadRun(kind, server[kind], stack.pid, 50, profile.httpWarmupSeconds)
    const rounds: Run[] = []
    for (let round = 0; round < profile.httpRounds; round++) {
      for (const connections of profile.connections) {
        for (const kind of KINDS) rounds.push(await loadRun(kind, server[kind], stack.pid, connections, profile.httpSeconds))
      }
    }
    const runs = profile.connections.flatMap((c) => KINDS.map((kind) => merge(rounds.filter((r) => r.kind === kind && r.connections === c))))
    const upstashFetch = await fetchCeiling(stack.info)
    const engineAlone = await engineCeiling(env, prefix, profile.engineMs)

    const at = (kind: Kind, c: number) => runs.find((r) => r.kind === kind && r.connections === c)!
    const c0 = profile.connections[0]!
    const self = at('self-host', c0)
    const self2 = at('self-host-2', c0)
    const ours = runs.filter((r) => r.kind === 'self-host' || r.kind === 'self-host-2' || r.kind === 'edge')
    const [bare, floor, original, pgOnly] = [at('bare', c0), at('floor', c0), at('original', c0), at('postgres-only', c0)]
    const cpu = (r: Run) => `${r.serverCpuUs} µs CPU/request`
    const why = {
      floor: `self-host ${cpu(self)} against the floor's ${cpu(floor)} (one EVALSHA, no validation, limits or holds); with WORKERS=2 ${self2.rps} req/s (${ratio(self2.rps, floor.rps)} of the floor) on 2 cores shared with autocannon and Redis`,
      bare: `self-host server ${cpu(self)} vs bare Hono ${cpu(bare)}, while the engine alone does ${engineAlone.opsPerSec} reserves/s: Node-side per-request work is the limit, not Redis`,
      original: `the original spends ${cpu(original)} against our ${cpu(self)}; on 2 shared cores req/s follows the whole machine's CPU per request (autocannon, Redis, the server), not the server's alone`,
      postgres: `Postgres-only: ${pgOnly.rps} req/s at ${cpu(pgOnly)}, bounded by the hot row's lock; ours is bounded by its own CPU (${cpu(self)})`,
      p99: `p99 is queueing on the busiest core: ours ${cpu(self)}, the original ${cpu(original)}, Postgres-only ${cpu(pgOnly)}`,
    }
    const targets: Target[] = [
      explain(target('http.vs-floor', `self-host req/s ÷ floor, 1 EVALSHA (${c0} conns)`, ratio(self.rps, floor.rps), '>=', 0.6), why.floor),
      explain(target('http.vs-bare', `self-host req/s ÷ bare Hono (${c0} conns)`, ratio(self.rps, bare.rps), '>=', 0.6), why.bare),
      explain(target('http.vs-original', `self-host req/s ÷ original (${c0} conns)`, ratio(self.rps, original.rps), '>=', 3), why.original),
      explain(target('http.vs-postgres', `self-host req/s ÷ Postgres-only (${c0} conns)`, ratio(self.rps, pgOnly.rps), '>=', 10), why.postgres),
      explain(target('http.p99-original', `self-host p99 ÷ original p99 (${c0} conns)`, ratio(self.p99, original.p99), '<', 1), why.p99),
      explain(target('http.p99-postgres', `self-host p99 ÷ Postgres-only p99 (${c0} conns)`, ratio(self.p99, pgOnly.p99), '<', 1), why.p99),
      target(
        'http.oversell',
        'units oversold, all runs of ours',
        ours.reduce((s, r) => s + r.oversell, 0),
        '==',
        0,
      ),
      target(
        'http.failures',
        'non-2xx + errors, all runs of ours',
        ours.reduce((s, r) => s + r.non2xx + r.errors, 0),
        '==',
        0,
      ),
    ]
    return {
      id: 'http',
      title: `HTTP reserve, one hot product, ${profile.httpRounds} runs of ${profile.httpSeconds} s per server and connection count`,
      tables: [
        {
          title: 'POST /api/reserve (a new user each request, quantity 1; p50 and p99: mean of the runs)',
          columns: [
            'server',
            'conns',
            'req/s',
            '÷ bare',
            '÷ floor',
            '÷ self-host',
            'p50 ms',
            'p99 ms',
            '2xx',
            'non-2xx',
            'errors',
            'held after',
            'oversold',
            'server CPU µs/req',
          ],
          rows: runs.map((r) => [
            SERVERS[r.kind],
            r.connections,
            r.rps,
            ratio(r.rps, at('bare', r.connections).rps),
            ratio(r.rps, at('floor', r.connections).rps),
            ratio(r.rps, at('self-host', r.connections).rps),
            r.p50,
            r.p99,
            r.ok,
            r.non2xx,
            r.errors,
            r.kind === 'bare' ? '-' : r.committed,
            r.kind === 'bare' ? '-' : r.oversell,
            r.kind === 'edge' ? `${r.serverCpuUs} (+${r.stackCpuUs} local Upstash)` : r.serverCpuUs,
          ]),
        },
        {
          title: 'the engine alone, no HTTP (the same reserve, 50 in flight over one ioredis connection)',
          columns: ['reserves/s', 'p50 ms', 'p99 ms', 'self-host HTTP ÷ engine alone'],
          rows: [[engineAlone.opsPerSec, engineAlone.latency.p50, engineAlone.latency.p99, ratio(self.rps, engineAlone.opsPerSec)]],
        },
        {
          title: "the edge path's own ceiling here: fetch() round trips from Node to the local Upstash server (PING, 50 in flight)",
          columns: ['round trips/s', 'p50 ms', 'p99 ms'],
          rows: [[upstashFetch.opsPerSec, upstashFetch.latency.p50, upstashFetch.latency.p99]],
        },
      ],
      targets,
      data: { servers: SERVERS, runs, rounds, engineAlone, upstashFetch },
    }
  } finally {
    for (const child of children.reverse()) await child.stop()
  }
}
