/**
 * npm run bench [-- --full] [-- --only engine,http,scale,storm,cost,edge,dropday,latency,cold,queue]
 *
 * Runs the scenarios in order against 127.0.0.1 only, prints their tables and
 * the targets, and writes bench/results/<date>.json and .svg (a partial run
 * with --only writes to bench/results/tmp/ instead).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { renderChart } from './chart'
import { stopAllChildren } from './lib/child'
import { benchEnv } from './lib/env'
import { describeMachine } from './lib/machine'
import { markdownTable, printScenario, targetTable, textTable } from './lib/table'
import { PROFILES, type Profile, type ScenarioResult } from './lib/types'
import { coldStart } from './scenarios/cold-start'
import { costPerCall } from './scenarios/cost-per-call'
import { dropDay } from './scenarios/drop-day'
import { edgeStart } from './scenarios/edge-start'
import { engineFloor } from './scenarios/engine-floor'
import { expiryStorm } from './scenarios/expiry-storm'
import { httpReserve } from './scenarios/http-reserve'
import { latencyScenario } from './scenarios/latency'
import { scale } from './scenarios/scale'
import { waitingRoom } from './scenarios/waiting-room'
import type { BenchEnv } from './lib/env'

const SCENARIOS: Record<string, (env: BenchEnv, profile: Profile) => Promise<ScenarioResult>> = {
  engine: engineFloor,
  http: httpReserve,
  scale,
  storm: expiryStorm,
  cost: costPerCall,
  edge: edgeStart,
  dropday: dropDay,
  latency: latencyScenario,
  cold: coldStart,
  queue: waitingRoom,
}

const { values } = parseArgs({
  options: { full: { type: 'boolean', default: false }, only: { type: 'string' }, help: { type: 'boolean', default: false } },
})
if (values.help) {
  console.log(`usage: npm run bench [-- --full] [-- --only ${Object.keys(SCENARIOS).join(',')}]`)
  process.exit(0)
}
const only = values.only?.split(',').map((s) => s.trim()) ?? Object.keys(SCENARIOS)
const unknown = only.filter((id) => !SCENARIOS[id])
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')} (one of ${Object.keys(SCENARIOS).join(', ')})`)
  process.exit(2)
}
const profile = PROFILES[values.full ? 'full' : 'quick']
const partial = only.length < Object.keys(SCENARIOS).length
const command = `npm run bench${values.full || values.only ? ' --' : ''}${values.full ? ' --full' : ''}${values.only ? ` --only ${values.only}` : ''}`

// Every run stops by itself: past this the process cleans up and exits.
const WATCHDOG_MS = (values.full ? 60 : 15) * 60_000
const env = benchEnv()
const abort = async (why: string) => {
  console.error(`\nbench: ${why}; cleaning up`)
  await stopAllChildren()
  await env.cleanup()
  process.exit(1)
}
const watchdog = setTimeout(() => void abort(`over ${WATCHDOG_MS / 60_000} minutes`), WATCHDOG_MS)
process.once('SIGINT', () => void abort('interrupted'))
process.once('SIGTERM', () => void abort('terminated'))

const started = Date.now()
const machine = await describeMachine(env.redisUrl)
console.log(`Flash Deal benchmarks, ${profile.name} profile: ${command}`)
console.log(`${machine.nproc} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, Redis ${machine.redis}, Postgres ${machine.postgres}`)

const results: ScenarioResult[] = []
const failures: { id: string; error: string }[] = []
try {
  for (const id of only) {
    const t0 = Date.now()
    console.log(`\n-- ${id} …`)
    try {
      const result = await SCENARIOS[id]!(env, profile)
      result.seconds = Math.round((Date.now() - t0) / 100) / 10
      printScenario(result)
      results.push(result)
    } catch (err) {
      // One broken scenario does not lose the others' figures; the run still fails at the end.
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err)
      console.error(`\n!! scenario ${id} failed: ${error}`)
      failures.push({ id, error })
    }
  }
} finally {
  await stopAllChildren()
  await env.cleanup()
}
clearTimeout(watchdog)

const seconds = Math.round((Date.now() - started) / 100) / 10
const targets = results.flatMap((r) => r.targets)
console.log(`\n== Targets\n${textTable(targetTable(targets))}`)
for (const t of targets.filter((t) => t.note)) console.log(`  ${t.label}: ${t.note}`)

const date = new Date().toISOString().slice(0, 10)
const dir = new URL(partial ? './results/tmp/' : './results/', import.meta.url)
mkdirSync(dir, { recursive: true })
const report = { date: new Date().toISOString(), command, profile, seconds, machine, targets, scenarios: results, failures }
writeFileSync(new URL(`${date}.json`, dir), `${JSON.stringify(report, null, 2)}\n`)
writeFileSync(new URL(`${date}.svg`, dir), renderChart(targets, `${machine.nproc} × ${machine.cpu}, ${profile.name} profile, ${date}`))
// The same tables as Markdown, to paste into BENCHMARKS.md (not committed).
mkdirSync(new URL('./results/tmp/', import.meta.url), { recursive: true })
const md = [
  ...results.flatMap((r) => [`### ${r.title}`, ...r.tables.map((t) => `${t.title}:\n\n${markdownTable(t)}\n`)]),
  '### Targets',
  markdownTable(targetTable(targets)),
]
writeFileSync(new URL(`./results/tmp/${date}.md`, import.meta.url), `${md.join('\n\n')}\n`)
console.log(`\n${targets.filter((t) => t.met).length} of ${targets.length} targets met; ${seconds} s in all`)
console.log(`wrote ${new URL(`${date}.json`, dir).pathname} and .svg`)
if (failures.length) {
  console.error(`${failures.length} scenario(s) failed: ${failures.map((f) => f.id).join(', ')}`)
  process.exitCode = 1
}
