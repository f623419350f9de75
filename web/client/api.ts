/**
 * The API as the pages call it: same origin, JSON in and out, every answer
 * the envelope {success, data | error, code, details}. A refusal becomes an
 * ApiError carrying the code (see refusals.ts for the words shown).
 */
import { noteServerDate } from './clock'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>[] = [],
    /** seconds, from Retry-After (429, 503) */
    readonly retryAfter?: number,
  ) {
    super(message)
  }
}

export interface Answer<T> {
  data: T
  headers: Headers
}

export interface CallOptions {
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}

function retryAfterOf(headers: Headers): number | undefined {
  const value = Number(headers.get('retry-after'))
  return Number.isFinite(value) && value > 0 ? value : undefined
}

/**
 * Reads are limited per client address (RATE_LIMIT_*, 100 per 15 minutes by
 * default), shared by every tab and product on that address. Each GET answer
 * says what is left of the window (RateLimit-Remaining, RateLimit-Reset);
 * the pollers space their reads so that it lasts until the window resets,
 * keeping a few for what the person clicks.
 */
const KEPT_FOR_CLICKS = 10
let readBudget: { remaining: number; resetAt: number } | undefined

function noteReadBudget(method: string, headers: Headers): void {
  const remaining = headers.get('ratelimit-remaining')
  const reset = headers.get('ratelimit-reset')
  if (method !== 'GET' || remaining === null || reset === null) return
  readBudget = { remaining: Number(remaining), resetAt: Date.now() + Number(reset) * 1000 }
}

/** How far apart (ms) reads must be for the address's read budget to last; 0 when there is no limit to mind. */
export function readSpacingMs(): number {
  if (!readBudget) return 0
  const left = readBudget.resetAt - Date.now()
  return left > 0 ? left / Math.max(1, readBudget.remaining - KEPT_FOR_CLICKS) : 0
}

export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, 'NETWORK', 'The shop could not be reached')
  }
  noteServerDate(res.headers.get('date'))
  noteReadBudget(method, res.headers)
  const envelope = (await res.json().catch(() => undefined)) as
    | { success: true; data: T }
    | { success: false; error: string; code: string; details?: Record<string, unknown>[] }
    | undefined
  if (envelope?.success === true) return { data: envelope.data, headers: res.headers }
  if (envelope?.success === false) {
    throw new ApiError(res.status, envelope.code, envelope.error, envelope.details ?? [], retryAfterOf(res.headers))
  }
  throw new ApiError(
    res.status,
    res.status >= 500 ? 'SERVICE_UNAVAILABLE' : 'NOT_FOUND',
    `Unexpected answer (HTTP ${res.status})`,
    [],
    retryAfterOf(res.headers),
  )
}

/** A key for one purchase, made in the page: the same key on every retry of that purchase. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  // Pages served over plain http from another host are not a secure context: no randomUUID there.
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

// What the API answers (src/schemas/*; the list and the waiting room per issues 17 and 18).

export interface WaitingRoom {
  admit_per_second: number
  admission_ttl_seconds: number
}

export interface Product {
  id: string
  name: string
  description: string | null
  total_stock: number
  sold: number
  price: string | null
  max_per_user: number | null
  sale_starts_at: string | null
  sale_ends_at: string | null
  created_at: string
  waiting_room?: WaitingRoom | null
}

export interface ProductStatus {
  product_id: string
  name: string
  total_stock: number
  sold: number
  reserved_stock: number
  available_stock: number
  queue_length?: number
}

export interface ProductPage {
  products: Product[]
  next_cursor: string | null
}

export interface Hold {
  user_id: string
  product_id: string
  quantity: number
  expires_at: string
  may_buy_more: number | null
}

export interface Order {
  order_id: string
  user_id: string
  product_id: string
  quantity: number
  total_amount: string
  status: string
  created_at: string
}

export interface QueueTicket {
  ticket: string
  position: number
  /** admitted: a shopper joining again whose turn has come (poll the ticket for the token) */
  status: 'waiting' | 'admitted'
}

export interface QueueState {
  position: number
  status: 'waiting' | 'admitted' | 'expired' | 'sold_out'
  estimated_wait_seconds: number
  admission_token?: string
  expires_at?: string
}

const enc = encodeURIComponent

export const api = {
  products: (cursor?: string) => call<ProductPage>('GET', `/api/products?limit=20${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  product: (id: string) => call<Product>('GET', `/api/products/${enc(id)}`),
  status: (id: string, signal?: AbortSignal) => call<ProductStatus>('GET', `/api/products/${enc(id)}/status`, { signal }),
}
