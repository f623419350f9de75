import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { ROOT } from './child'
import { round } from './stats'

const DIR = join(ROOT, 'bench/results/tmp/startup')
const WRANGLER_ENV = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' }

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[]
  samples: number[]
  timeDeltas: number[]
}

/** One profiled start-up: CPU ms by kind (V8's samples, idle left out). */
export interface StartupRun {
  busyMs: number
  /** in the Worker's own code (the bundle) */
  scriptMs: number
  gcMs: number
  /** V8 and workerd outside any JavaScript function (compiling, parsing …) */
  programMs: number
}

export interface WorkerStartup {
  runs: StartupRun[]
  /** busy ms of the median run, and the spread */
  medianMs: number
  minMs: number
  maxMs: number
  /** mean ms per start-up by package or file of ours, through the bundle's source map (self time) */
  byPlace: [string, number][]
  /** the same by function, `name place:line` */
  byFunction: [string, number][]
  /** the bundle measured: what `wrangler deploy` would upload */
  bundleKb: number
}

function wrangler(args: string[], what: string): void {
  const run = spawnSync('npx', ['wrangler', ...args], { cwd: ROOT, encoding: 'utf8', env: WRANGLER_ENV, timeout: 180_000 })
  if (run.status !== 0) throw new Error(`${what} failed (${run.status}): ${run.stdout}\n${run.stderr}`)
}

/** Where a bundle position came from: a package, a file of ours, or the bundle's top level. */
function placeOf(map: SourceMap, frame: CallFrame): { place: string; fn: string } {
  if (frame.lineNumber < 0) return { place: '(module top level)', fn: '(module top level)' }
  const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number; name?: string }
  // esbuild's own helpers (__esm, __commonJS …: a module's first evaluation) have no source
  if (!entry.originalSource) return { place: '(esbuild module wrappers)', fn: frame.functionName || '(anonymous)' }
  const path = relative(ROOT, resolve(DIR, 'out', entry.originalSource))
  const inPackage = path.startsWith('node_modules/')
  // drizzle-orm ships maps to its own ../src/, which lands right under node_modules/
  const file = inPackage ? path.slice('node_modules/'.length).replace(/^src\//, 'drizzle-orm/src/') : path
  const pkg = inPackage ? /^(?:@[^/]+\/)?[^/]+/.exec(file)?.[0] : undefined
  const place = pkg ?? file
  return { place, fn: `${entry.name ?? (frame.functionName || '(anonymous)')} ${file}:${(entry.originalLine ?? 0) + 1}` }
}

/**
 * The Worker's start-up CPU, measured as `wrangler check startup` does it:
 * the bundle `wrangler deploy` would upload is built once (--dry-run, as
 * shipped: minified), then each run loads it in a fresh workerd (miniflare)
 * and records a V8 CPU profile around the dynamic import of the Worker's
 * module, i.e. the evaluation of every module at start-up. Busy time is the
 * profile's samples minus idle; the bundle's source map names where it went.
 * Re-run after a change with `npm run bench -- --only cold`.
 */
export function measureWorkerStartup(runs: number): WorkerStartup {
  rmSync(DIR, { recursive: true, force: true })
  mkdirSync(DIR, { recursive: true })
  const bundle = join(DIR, 'worker.bundle')
  wrangler(['deploy', '--dry-run', '--env=', '--outdir', join(DIR, 'out'), '--outfile', bundle], 'wrangler deploy --dry-run')
  const map = new SourceMap(JSON.parse(readFileSync(join(DIR, 'out/worker.js.map'), 'utf8')))
  const bundleKb = round(readFileSync(join(DIR, 'out/worker.js')).length / 1024)

  const results: StartupRun[] = []
  const byPlace = new Map<string, number>()
  const byFunction = new Map<string, number>()
  for (let i = 0; i < runs; i++) {
    const file = join(DIR, `startup-${i}.cpuprofile`)
    wrangler(['check', 'startup', '--worker', bundle, '--outfile', file], 'wrangler check startup')
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
    const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]))
    const run = { busyMs: 0, scriptMs: 0, gcMs: 0, programMs: 0 }
    profile.samples.forEach((id, k) => {
      const frame = frames.get(id)
      const ms = (profile.timeDeltas[k] ?? 0) / 1000
      if (!frame || frame.functionName === '(idle)' || frame.functionName === '(root)') return
      run.busyMs += ms
      if (frame.functionName === '(garbage collector)') run.gcMs += ms
      else if (frame.functionName === '(program)') run.programMs += ms
      else if (frame.url.endsWith('worker.js')) {
        run.scriptMs += ms
        const { place, fn } = placeOf(map, frame)
        byPlace.set(place, (byPlace.get(place) ?? 0) + ms)
        byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms)
      }
    })
    results.push({ busyMs: round(run.busyMs), scriptMs: round(run.scriptMs), gcMs: round(run.gcMs), programMs: round(run.programMs) })
  }
  const sorted = results.map((r) => r.busyMs).sort((a, b) => a - b)
  const top = (m: Map<string, number>): [string, number][] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([k, ms]) => [k, round(ms / runs)])
  return {
    runs: results,
    medianMs: sorted[Math.floor((sorted.length - 1) / 2)]!,
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
    byPlace: top(byPlace),
    byFunction: top(byFunction),
    bundleKb,
  }
}
