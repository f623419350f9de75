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

/**
 * Where a frame's code lives, twice: its place (`hono`, `src/app.ts`,
 * `node:net`, `(garbage collector)`) and its function with file and line
 * (`dispatch hono/dist/compose.js:24`, `writev (native)`).
 */
function locate(frame: CallFrame): { place: string; fn: string } {
  if (!frame.url) {
    // V8's own buckets — (idle), (program), (garbage collector) — or a native function
    const bucket = frame.functionName.startsWith('(')
    return { place: bucket ? frame.functionName : '(native)', fn: bucket ? frame.functionName : `${frame.functionName} (native)` }
  }
  const url = frame.url.replace(/^file:\/\//, '')
  const i = url.lastIndexOf('node_modules/')
  const file = i >= 0 ? url.slice(i + 'node_modules/'.length) : url.startsWith(ROOT) ? url.slice(ROOT.length + 1) : url
  const place = i >= 0 ? /^(?:@[^/]+\/)?[^/]+/.exec(file)![0] : file
  return { place, fn: `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}` }
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
    const { place, fn } = locate(frame)
    byPlace.set(place, (byPlace.get(place) ?? 0) + us)
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  })
  return { totalMs: Math.round(total / 1000), byPlace: share(byPlace, total, top), byFunction: share(byFunction, total, top) }
}
