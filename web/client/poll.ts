/**
 * Repeats a read while the page is visible: every `everyMs`, or after the
 * Retry-After of a 429 or 503, and never two at once. Hidden tabs do not
 * poll (the read budget is per client address, shared by every tab).
 */
import { ApiError } from './api'

export interface Poller {
  /** Runs the read now (and restarts the interval). */
  now(): void
  stop(): void
}

export function poll(task: (signal: AbortSignal) => Promise<void>, everyMs: number, onPause?: (seconds: number, err: ApiError) => void): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined
  let running: AbortController | undefined
  let stopped = false

  const schedule = (ms: number) => {
    clearTimeout(timer)
    if (!stopped) timer = setTimeout(run, ms)
  }

  async function run() {
    if (stopped) return
    if (document.visibilityState === 'hidden') return // resumed by visibilitychange
    running?.abort()
    const controller = (running = new AbortController())
    let next = everyMs
    try {
      await task(controller.signal)
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return
      if (err instanceof ApiError && err.retryAfter !== undefined) {
        next = Math.max(everyMs, err.retryAfter * 1000)
        onPause?.(err.retryAfter, err)
      } else if (err instanceof ApiError) {
        next = everyMs * 2
      } else throw err
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
      clearTimeout(timer)
      running?.abort()
      document.removeEventListener('visibilitychange', onVisible)
    },
  }
}
