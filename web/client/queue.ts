/**
 * A shopper's place in a drop's waiting room (issue 17): join once, then poll
 * the ticket at the interval its Retry-After asks for, until admitted (with a
 * token to reserve with until it expires) or expired. Sold out is not the end:
 * the line only stands still, and moves again if held units lapse.
 */
import { ApiError, call, type QueueState, type QueueTicket } from './api'

export type Place =
  | { status: 'waiting'; position: number; estimated_wait_seconds?: number }
  | { status: 'admitted'; token: string; expires_at: string }
  | { status: 'expired' | 'sold_out' }

export interface Line {
  /** Stops polling (the shopper changed, or the page no longer needs it). */
  leave(): void
}

const MIN_POLL_S = 1
const MAX_POLL_S = 10

export async function joinLine(productId: string, userId: string, onPlace: (place: Place) => void, onError: (err: unknown) => void): Promise<Line> {
  const enc = encodeURIComponent
  const joined = await call<QueueTicket>('POST', `/api/products/${enc(productId)}/queue`, { body: { user_id: userId } })
  const ticket = joined.data.ticket
  let timer: ReturnType<typeof setTimeout> | undefined
  let left = false
  if (joined.data.status === 'waiting') onPlace({ status: 'waiting', position: joined.data.position })

  const next = (seconds: number | undefined) => {
    const s = Math.min(MAX_POLL_S, Math.max(MIN_POLL_S, seconds ?? 2))
    if (!left) timer = setTimeout(check, s * 1000)
  }

  async function check() {
    try {
      const { data, headers } = await call<QueueState>('GET', `/api/products/${enc(productId)}/queue/${enc(ticket)}`)
      if (left) return
      if (data.status === 'admitted' && data.admission_token && data.expires_at) {
        onPlace({ status: 'admitted', token: data.admission_token, expires_at: data.expires_at })
      } else if (data.status === 'waiting' || data.status === 'sold_out') {
        onPlace(
          data.status === 'waiting'
            ? { status: 'waiting', position: data.position, estimated_wait_seconds: data.estimated_wait_seconds }
            : { status: 'sold_out' },
        )
        next(Number(headers.get('retry-after')) || undefined)
      } else {
        onPlace({ status: 'expired' })
      }
    } catch (err) {
      if (left) return
      if (err instanceof ApiError && (err.code === 'RATE_LIMITED' || err.code === 'SERVICE_UNAVAILABLE' || err.code === 'NETWORK')) {
        onError(err)
        next(err.retryAfter ?? 5)
      } else onError(err)
    }
  }

  if (joined.data.status === 'admitted') void check()
  else next(Number(joined.headers.get('retry-after')) || undefined)
  return {
    leave: () => {
      left = true
      clearTimeout(timer)
    },
  }
}
