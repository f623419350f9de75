import { flashDealClient, type FlashDealClient } from '../../src/client'

/** The ADMIN_TOKEN every test app is configured with. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789'

/** The QUEUE_SECRET every test app is configured with (the waiting room's tickets and admission tokens). */
export const TEST_QUEUE_SECRET = 'test-queue-secret-0123456789-abcdefghij'

/**
 * Limits so high (and no per-address hold cap) that suites making hundreds of
 * calls from one address are never throttled; the limit tests set their own.
 */
export const TEST_LIMITS = { RATE_LIMIT_MAX_REQUESTS: '1000000', USER_RATE_LIMIT_MAX_REQUESTS: '1000000', MAX_HELD_PER_ADDRESS: '0' }

/**
 * A window for tests that count requests up to a limit: a day, so that calls a
 * moment apart never straddle the start of a window, where the sliding window
 * forgives what the window before held (a 60 s window did so in about one run
 * in a hundred, and the test saw one request too many admitted).
 */
export const COUNTED_WINDOW_MS = '86400000'

const isAdminWrite = (method: string, path: string) => (method === 'POST' || method === 'PATCH') && path.startsWith('/api/products')

/** A way to send one HTTP request to the API, in Node or in workerd. */
export type Send = (request: Request) => Promise<Response>

export interface Reply<T = any> {
  status: number
  body: T
  headers: Headers
}

/** What is read of an answer (a Response, or hc's typed one). */
type Answer = Pick<Response, 'status' | 'headers' | 'text'>

export interface ApiClient {
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>
  raw(path: string, init: RequestInit): Promise<Reply>
  /** The same API with some configuration changed (e.g. REDIS_TTL=1). */
  /**
   * A call through the typed client (src/client.ts, hono's hc): paths, params
   * and bodies are checked against the route declarations at compile time.
   * The shop's admin token goes with product writes, as with call().
   */
  typed(call: (client: FlashDealClient) => Promise<Answer>): Promise<Reply>
  withConfig(overrides: Record<string, string>): ApiClient
}

export function apiClient(send: (overrides: Record<string, string>) => Send, overrides: Record<string, string> = {}): ApiClient {
  const sendRequest = send(overrides)
  const reply = async (res: Answer): Promise<Reply> => {
    const text = await res.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON: keep the text, the assertion will show it
    }
    return { status: res.status, body, headers: res.headers }
  }
  const raw = async (path: string, init: RequestInit) => reply(await sendRequest(new Request(`http://flash.test${path}`, init)))
  const client = flashDealClient('http://flash.test', {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      if (isAdminWrite(request.method, new URL(request.url).pathname)) request.headers.set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      return sendRequest(request)
    },
  })
  return {
    raw,
    typed: async (call) => reply(await call(client)),
    // The client is the shop's admin on product writes unless a test says otherwise.
    call: (method, path, body, headers = {}) =>
      raw(path, {
        method,
        headers: {
          ...(isAdminWrite(method, path) ? { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    withConfig: (more) => apiClient(send, { ...overrides, ...more }),
  }
}
