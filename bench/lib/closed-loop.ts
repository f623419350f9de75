import { latency, msSince, type Latency } from './stats'

export interface LoopResult {
  ops: number
  opsPerSec: number
  latency: Latency
  /** calls whose answer the check refused */
  failures: number
}

/**
 * `concurrency` workers, each calling `op` again as soon as its last call
 * answered, until `durationMs` has passed or `maxOps` calls were made.
 * `op(i)` gets a number unique to the run and says whether the answer was the
 * expected one.
 */
export async function closedLoop(
  opts: { concurrency: number; durationMs: number; maxOps?: number },
  op: (i: number) => Promise<boolean>,
): Promise<LoopResult> {
  const maxOps = opts.maxOps ?? 10_000_000
  const samples: number[] = []
  let next = 0
  let failures = 0
  const start = process.hrtime.bigint()
  const deadline = Date.now() + opts.durationMs
  const worker = async () => {
    while (Date.now() < deadline && next < maxOps) {
      const i = next++
      const t = process.hrtime.bigint()
      if (!(await op(i))) failures++
      samples.push(msSince(t))
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, worker))
  const seconds = msSince(start) / 1000
  return { ops: samples.length, opsPerSec: Math.round(samples.length / seconds), latency: latency(samples), failures }
}
