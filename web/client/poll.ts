/**
 * Repeats a read while the page is visible: every `everyMs`, slower when the
 * address's read budget asks for it (api.ts readSpacingMs), after the
 * Retry-After of a 429 or 503, and never two at once. Hidden tabs do not
 * poll (the read budget is per client address, shared by every tab).
 */
import { ApiError, readSpacingMs } from './api'

export interface Poller {
  /** Runs the read now (and restarts the interval). */
  now(): void
  stop(): void
}

export interface PollOptions {
  everyMs: number
  /** requests one run makes (default 1) */
  reads?: () => number
  /** the API asked for a pause (429, 503): how long, and why */
  onPause?: (seconds: number, err: ApiError) => void
  /** the seconds between runs, after each run (slower than everyMs when the read budget is short) */
  onPace?: (seconds: number) => void
}

/** Reads per round of every running poller: they share one budget. */
const rounds = new Set<() => number>()

function pacedMs(everyMs: number): number {
  let reads = 0
  for (const r of rounds) reads += r()
  return Math.max(everyMs, Math.ceil(readSpacingMs() * reads))
}

export function poll(task: (signal: AbortSignal) => Promise<void>, options: PollOptions): Poller {
  const { everyMs, onPause, onPace } = options
  const reads = options.reads ?? (() => 1)
  let timer: ReturnType<typeof setTimeout> | undefined
  let running: AbortController | undefined
  let stopped = false
  rounds.add(reads)

  const schedule = (ms: number) => {
    clearTimeout(timer)
    if (!stopped) timer = setTimeout(run, ms)
  }

  async function run() {
    if (stopped) return
    if (document.visibilityState === 'hidden') return // resumed by visibilitychange
    running?.abort()
    const controller = new AbortController()
    running = controller
    let next: number
    try {
      await task(controller.signal)
      next = pacedMs(everyMs)
      onPace?.(next / 1000)
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return
      if (!(err instanceof ApiError)) throw err
      if (err.retryAfter !== undefined) {
        next = Math.max(pacedMs(everyMs), err.retryAfter * 1000)
        onPause?.(err.retryAfter, err)
      } else next = pacedMs(everyMs * 2)
    } finally {
      if (running === controller) running = undefined
    }
    schedule(next)
  }

  const onVisible = () => {
    if (document.visibilityState === 'visible') schedule(0)
  }
  document.addEventListener('visibilitychange', onVisible)
  schedule(0)
  return {
    now: () => schedule(0),
    stop: () => {
      stopped = true
      rounds.delete(reads)
      clearTimeout(timer)
      running?.abort()
      document.removeEventListener('visibilitychange', onVisible)
    },
  }
}
