import { readFileSync } from 'node:fs'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  /** sampled time, ms */
  totalMs: number
  /** share of samples by package (node_modules), file of ours, Node internal module or V8 bucket */
  byPlace: [string, number][]
  /** share of samples by function (self time) */
  byFunction: [string, number][]
}

const ROOT = process.cwd()

/** Where a frame's code lives: `hono`, `src/engine/engine.ts`, `node:net`, `(garbage collector)`. */
function place(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '')
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]!
  if (url.startsWith(ROOT)) return url.slice(ROOT.length + 1)
  if (url) return url
  return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
}

/** The frame's file, shortened: `hono/dist/compose.js`, `src/app.ts`, `node:net`. */
function fileOf(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '')
  const i = url.lastIndexOf('node_modules/')
  if (i >= 0) return url.slice(i + 'node_modules/'.length)
  return url.startsWith(ROOT) ? url.slice(ROOT.length + 1) : url || '(native)'
}

const share = (m: Map<string, number>, total: number, top: number): [string, number][] =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => [k, Math.round((1000 * v) / total) / 10])

/** Self time of a .cpuprofile (V8's format, as `node --cpu-prof` writes it), grouped two ways. */
export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const byPlace = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id)?.callFrame
    const us = profile.timeDeltas[i] ?? 0
    if (!frame) return
    total += us
    const where = place(frame)
    byPlace.set(where, (byPlace.get(where) ?? 0) + us)
    const fn = frame.url ? `${frame.functionName || '(anonymous)'} ${fileOf(frame)}:${frame.lineNumber + 1}` : `${frame.functionName} ${where}`.replace(/^(\(.*\)) \1$/, '$1')
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  })
  return { totalMs: Math.round(total / 1000), byPlace: share(byPlace, total, top), byFunction: share(byFunction, total, top) }
}
