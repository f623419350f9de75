/**
 * One timer for every countdown on a page: each second, every element
 * registered here shows the time left until its instant, and its callback
 * runs once when that reaches zero.
 */
import { formatDuration, secondsUntil } from './clock'

interface Countdown {
  el: HTMLElement
  until: string
  prefix: string
  onZero?: () => void
}

const countdowns = new Set<Countdown>()
let timer: ReturnType<typeof setInterval> | undefined

function show(c: Countdown): number {
  const left = secondsUntil(c.until)
  c.el.textContent = `${c.prefix}${formatDuration(left)}`
  c.el.setAttribute('datetime', `PT${left}S`)
  return left
}

function tick() {
  for (const c of countdowns) {
    if (!c.el.isConnected) countdowns.delete(c)
    else if (show(c) === 0) {
      countdowns.delete(c)
      c.onZero?.()
    }
  }
  if (countdowns.size === 0) {
    clearInterval(timer)
    timer = undefined
  }
}

/** Shows `prefix` + m:ss until `until` in `el` (a <time>), and calls onZero once when it is over. */
export function countdown(el: HTMLElement, until: string, prefix = '', onZero?: () => void): void {
  const c: Countdown = { el, until, prefix, onZero }
  if (show(c) === 0) {
    onZero?.()
    return
  }
  countdowns.add(c)
  timer ??= setInterval(tick, 1000)
}
