import { BENCH_ADMIN_TOKEN } from '../peers/flash-deal'
import { msSince } from './stats'

/** One answer of the API, timed from just before fetch() to the body read. */
export interface Reply<T = any> {
  status: number
  body: T
  headers: Headers
  ms: number
}

/** The API of one server, called over loopback HTTP with JSON. */
export interface Api {
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>
  /** POST /api/products as the bench's admin; answers the new product's id */
  product(fields: Record<string, unknown>, headers?: Record<string, string>): Promise<number>
}

export function api(base: string): Api {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) throw new Error(`the bench calls 127.0.0.1 only, not ${base}`)
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const t = process.hrtime.bigint()
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    const ms = msSince(t)
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      // not JSON: kept as text, for the error that will quote it
    }
    return { status: res.status, body: parsed, headers: res.headers, ms }
  }
  return {
    call,
    async product(fields, headers = {}) {
      const res = await call('POST', '/api/products', fields, { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, ...headers })
      if (res.status !== 201) throw new Error(`creating a product: ${res.status} ${JSON.stringify(res.body)}`)
      return Number(res.body.data.id)
    },
  }
}

/** `lanes` callers at a time work through `items` in order, as a client with that many connections would. */
export async function inLanes<T, R>(lanes: number, items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  let next = 0
  const results: R[] = new Array(items.length)
  const lane = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane))
  return results
}
