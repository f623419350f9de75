/**
 * A drop's units over time, drawn as SVG: sold at the bottom, held above it,
 * available on top, so the three stack up to the total stock at each moment.
 */
import { formatTime } from './clock'
import { svg } from './dom'

export interface Sample {
  t: number
  sold: number
  held: number
  available: number
}

const W = 640
const H = 220
const PAD = { left: 48, right: 12, top: 12, bottom: 28 }
export const SERIES = ['sold', 'held', 'available'] as const

/** The time window shown, and so the samples kept. */
export const CHART_WINDOW_MS = 5 * 60_000

export class UnitsChart {
  readonly el: SVGSVGElement
  private readonly title: SVGTitleElement
  private readonly areas: Record<(typeof SERIES)[number], SVGPathElement>
  private readonly axis: SVGGElement

  constructor(id: string) {
    this.title = svg('title', { id: `${id}-title` })
    this.areas = {
      sold: svg('path', { class: 'area-sold' }),
      held: svg('path', { class: 'area-held' }),
      available: svg('path', { class: 'area-available' }),
    }
    this.axis = svg('g', { class: 'axis' })
    this.el = svg(
      'svg',
      { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-title`, class: 'chart', id, focusable: 'false' },
      this.title,
      this.axis,
      this.areas.sold,
      this.areas.held,
      this.areas.available,
    )
  }

  draw(samples: Sample[]): void {
    const last = samples[samples.length - 1]
    if (!last) return
    // One sample is drawn as a flat band a second wide, so the first read shows too.
    const points = samples.length === 1 ? [{ ...last, t: last.t - 1000 }, last] : samples
    const t0 = Math.max(points[0]!.t, last.t - CHART_WINDOW_MS)
    const t1 = Math.max(last.t, t0 + 1)
    const top = Math.max(1, ...points.map((p) => p.sold + p.held + p.available))
    const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right)
    const y = (units: number) => H - PAD.bottom - (units / top) * (H - PAD.top - PAD.bottom)
    const shown = points.filter((p) => p.t >= t0)

    // Counters change between reads, not along a slope: each band is drawn as steps.
    const steps = (values: number[]) =>
      shown.flatMap((p, i) => {
        const at = x(p.t).toFixed(1)
        const here = `${at},${y(values[i]!).toFixed(1)}`
        return i === 0 ? [here] : [`${at},${y(values[i - 1]!).toFixed(1)}`, here]
      })
    let below = shown.map(() => 0)
    for (const name of SERIES) {
      const above = shown.map((p, i) => below[i]! + p[name])
      this.areas[name].setAttribute('d', `M${steps(above).join('L')}L${steps(below).reverse().join('L')}Z`)
      below = above
    }

    this.axis.replaceChildren(
      svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(top), y2: y(top), class: 'grid' }),
      svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), class: 'base' }),
      svg('text', { x: PAD.left - 6, y: y(top) + 4, 'text-anchor': 'end' }, String(top)),
      svg('text', { x: PAD.left - 6, y: y(0) + 4, 'text-anchor': 'end' }, '0'),
      svg('text', { x: PAD.left, y: H - 8 }, formatTime(t0)),
      svg('text', { x: W - PAD.right, y: H - 8, 'text-anchor': 'end' }, formatTime(last.t)),
    )
    this.title.textContent = `Units over time, ${formatTime(t0)} to ${formatTime(last.t)}: now ${last.sold} sold, ${last.held} held, ${last.available} available.`
  }
}
