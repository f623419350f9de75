/**
 * Time as the API sees it. Hold and admission expiries come from the Redis
 * server's clock; the page counts down against the Date header of the last
 * answer (1 s resolution), so a wrong clock on the shopper's device does not
 * show a hold as lapsed, or alive, when it is not.
 */
let offsetMs = 0

export function noteServerDate(header: string | null): void {
  const server = header ? Date.parse(header) : NaN
  if (Number.isNaN(server)) return
  // The header is truncated to the second: the server was somewhere in [server, server + 1 s).
  const estimate = server + 500 - Date.now()
  if (Math.abs(estimate - offsetMs) > 1000) offsetMs = estimate
}

export const serverNow = (): number => Date.now() + offsetMs

/** Whole seconds from now until an ISO instant (never negative). */
export function secondsUntil(iso: string): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - serverNow()) / 1000))
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`
}

/** A duration in words for screen readers: "1 minute 15 seconds". */
export function durationInWords(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const parts: string[] = []
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (h) parts.push(`${h} hour${h === 1 ? '' : 's'}`)
  if (m) parts.push(`${m} minute${m === 1 ? '' : 's'}`)
  if (s % 60 || parts.length === 0) parts.push(`${s % 60} second${s % 60 === 1 ? '' : 's'}`)
  return parts.join(' ')
}

export function formatTime(iso: string | number): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })
}
