import autocannon from 'autocannon'
import { round } from './stats'

export interface LoadResult {
  connections: number
  seconds: number
  requests: number
  rps: number
  p50: number
  p99: number
  ok: number
  non2xx: number
  errors: number
  timeouts: number
}

/**
 * POSTs JSON to one loopback URL for `seconds` with `connections` open, each
 * request's body made by `body(n)` (n counts up, so every request can be a
 * new user). Latency in ms as autocannon measures it.
 */
export async function postLoad(opts: { url: string; connections: number; seconds: number; body: (n: number) => unknown }): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(opts.url)) throw new Error(`load goes to 127.0.0.1 only, not ${opts.url}`)
  let n = 0
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify(opts.body(n++)) }),
      },
    ],
  })
  const requests = result['2xx'] + result.non2xx
  return {
    connections: opts.connections,
    seconds: result.duration,
    requests,
    rps: Math.round(requests / result.duration),
    p50: round(result.latency.p50),
    p99: round(result.latency.p99),
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }
}
