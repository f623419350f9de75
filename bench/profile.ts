/**
 * npm run bench:profile [-- --server self-host] [-- --seconds 10] [-- --connections 50]
 *
 * One server of the HTTP scenario (bench/peers/serve.ts: self-host — the app
 * and selfHostDeps as dist/node.js runs them, in one process — edge, floor,
 * original, postgres-only, bare) under the same reserve load, run with
 * `node --cpu-prof`; prints where its CPU went, by package or file and by
 * function (self time). The .cpuprofile stays in bench/results/tmp/profile/
 * (open it in Chrome DevTools). The profile spans the process's whole life:
 * start-up, a warm-up run, then the measured run.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { StoreVars } from '../dev/local-stack'
import { startChild, stopAllChildren, ROOT } from './lib/child'
import { summarizeProfile } from './lib/cpu-profile'
import { benchEnv } from './lib/env'
import { textTable } from './lib/table'
import { KINDS, loadRun, SERVERS, type Kind } from './scenarios/http-runs'

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'self-host' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
})
const kind = values.server as Kind
const profiled: Kind[] = KINDS.filter((k) => k !== 'self-host-2') // a cluster's workers would each write a profile
if (!profiled.includes(kind)) throw new Error(`--server must be one of ${profiled.join(', ')}`)
const [seconds, connections] = [Number(values.seconds), Number(values.connections)]

const dir = join(ROOT, 'bench/results/tmp/profile')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
const env = benchEnv()
try {
  const [appDb, peerDb] = [await env.database('profile'), await env.database('profile_pg')]
  const stack = await startChild<StoreVars>('bench/peers/serve.ts', ['stack'], {
    BENCH_PEER: JSON.stringify({ redisUrl: env.redisUrl, databaseUrl: appDb.url }),
  })
  const options = { redisUrl: env.redisUrl, prefix: env.prefix('profile'), databaseUrl: peerDb.url, vars: stack.info }
  const server = await startChild<{ port: number }>(
    'bench/peers/serve.ts',
    [kind],
    { BENCH_PEER: JSON.stringify(options) },
    {
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    },
  )
  await loadRun(kind, server, stack.pid, connections, 3) // warm-up
  const run = await loadRun(kind, server, stack.pid, connections, seconds)
  await server.stop() // the profile is written as the process exits
  await stack.stop()

  // The one with the most samples is the main thread's (a loader thread may write its own).
  const [main] = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ file: join(dir, f), summary: summarizeProfile(join(dir, f)) }))
    .sort((a, b) => b.summary.totalMs - a.summary.totalMs)
  if (!main) throw new Error('no .cpuprofile was written')
  const { file, summary } = main
  console.log(`${SERVERS[kind]}, ${connections} connections, ${seconds} s: ${run.rps} req/s, p99 ${run.p99} ms, ${run.serverCpuUs} µs CPU/request`)
  console.log(`profile: ${file} (${summary.totalMs} ms sampled)\n`)
  console.log(textTable({ columns: ['package, file or bucket', '% of samples'], rows: summary.byPlace }))
  console.log()
  console.log(textTable({ columns: ['function (self time)', '% of samples'], rows: summary.byFunction }))
} finally {
  await stopAllChildren()
  await env.cleanup()
}
