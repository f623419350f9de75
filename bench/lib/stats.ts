/** Latency figures of a list of samples, in ms. */
export interface Latency {
  n: number
  p50: number
  p99: number
  max: number
  mean: number
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

export function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b)
  const sum = sorted.reduce((s, x) => s + x, 0)
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(sum / sorted.length),
  }
}

/** Rounded for tables and JSON: 3 significant digits below 10, else 1 decimal. */
export function round(n: number): number {
  if (!Number.isFinite(n)) return n
  return Math.abs(n) < 10 ? Number(n.toPrecision(3)) : Math.round(n * 10) / 10
}

export const ratio = (a: number, b: number) => round(a / b)

/** Milliseconds since `start` (a process.hrtime.bigint()). */
export const msSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6

/** Times one call, in ms. */
export async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint()
  const value = await call()
  return { ms: msSince(start), value }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Two calls timed in turns, one sample of each per round, so the noise of the machine falls on both. */
export async function alternate(rounds: number, a: (i: number) => Promise<number>, b: (i: number) => Promise<number>) {
  const sa: number[] = []
  const sb: number[] = []
  for (let i = 0; i < rounds; i++) {
    sa.push(await a(i))
    sb.push(await b(i))
  }
  return [latency(sa), latency(sb)] as const
}
