import type { RequestSpan } from './request-span'

/** One request a local store server answered (dev/local-stack.ts onRequest). */
export type StoreSpan = RequestSpan & { store: 'upstash' | 'neon' }

/**
 * Sequential round trips among `spans`: the longest chain of requests each of
 * which arrived after the one before it had been answered. Requests that
 * overlap ran concurrently and count once; a request made only after another
 * one's answer counts again.
 */
export function sequentialRoundTrips(spans: StoreSpan[]): number {
  const byEnd = [...spans].sort((a, b) => a.end - b.end)
  const chain: number[] = []
  byEnd.forEach((span, i) => {
    let longest = 0
    for (let j = 0; j < i; j++) if (byEnd[j]!.end <= span.start) longest = Math.max(longest, chain[j]!)
    chain.push(longest + 1)
  })
  return Math.max(0, ...chain)
}

/** What one API call asked of the stores, split at the moment its answer reached the client. */
export interface CallTrace {
  /** every store request the call made, the ones after the answer (waitUntil) too */
  requests: number
  /** sequential round trips finished before the answer */
  beforeAnswer: number
  /** store requests still running or started after the answer */
  afterAnswer: number
  /** ms during which at least one store request answered before the answer was running */
  storeMs: number
  /** the store requests in order, concurrent ones grouped: `2×upstash → neon → (upstash)`, after the answer in brackets */
  path: string
}

/** The trace of a call answered at `answeredAt`, from the spans that arrived since it was sent. */
export function traceCall(spans: StoreSpan[], answeredAt: number): CallTrace {
  const before = spans.filter((s) => s.end <= answeredAt)
  const chainLinks: string[] = []
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  let group: StoreSpan[] = []
  const flush = () => {
    if (group.length === 0) return
    const counts = new Map<string, number>()
    for (const s of group) {
      const label = s.end <= answeredAt ? s.store : `(${s.store})`
      counts.set(label, (counts.get(label) ?? 0) + 1)
    }
    chainLinks.push([...counts].map(([store, n]) => (n > 1 ? `${n}×${store}` : store)).join('+'))
    group = []
  }
  for (const span of sorted) {
    // a span that starts after every span of the group ended begins the next step
    if (group.length && group.every((g) => g.end <= span.start)) flush()
    group.push(span)
  }
  flush()
  return {
    requests: spans.length,
    beforeAnswer: sequentialRoundTrips(before),
    afterAnswer: spans.length - before.length,
    storeMs: unionMs(before),
    path: chainLinks.join(' → '),
  }
}

/** The length of the union of the spans' intervals, ms. */
function unionMs(spans: StoreSpan[]): number {
  let total = 0
  let reach = -Infinity
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const from = Math.max(s.start, reach)
    if (s.end > from) total += s.end - from
    reach = Math.max(reach, s.end)
  }
  return total
}
