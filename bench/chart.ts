import type { Target } from './lib/types'

/**
 * A hand-written SVG bar chart: one row per target, its measured value as a
 * bar on its own scale (0 … 1.25 × the larger of value and goal) and the goal
 * as a tick. Green when met, red when missed.
 */
const CHAR = 6.8 // px per character at 12 px, roughly, so the labels are never cut
const W = { label: 300, track: 360, text: 220 }
const ROW = 26
const TOP = 48
let width = 0

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const sign = { '>=': '≥', '<=': '≤', '<': '<', '==': '=' } as const

function row(t: Target, i: number): string {
  const y = TOP + i * ROW
  const max = Math.max(t.value, t.goal, 1e-9) * 1.25
  const x0 = W.label + 10
  const bar = Math.max(1, (Math.max(0, t.value) / max) * W.track)
  const tick = x0 + (t.goal / max) * W.track
  const color = t.met ? '#2e9d5b' : '#d04a3a'
  const text = `${t.value}${t.unit} (${sign[t.op]} ${t.goal}${t.unit}) ${t.met ? 'met' : 'MISSED'}`
  return [
    i % 2 ? '' : `<rect x="0" y="${y - 4}" width="${width}" height="${ROW}" fill="#f6f7f9"/>`,
    `<text x="${W.label}" y="${y + 13}" text-anchor="end">${esc(t.label)}</text>`,
    `<rect x="${x0}" y="${y + 2}" width="${W.track}" height="14" fill="#e3e6ea"/>`,
    `<rect x="${x0}" y="${y + 2}" width="${bar.toFixed(1)}" height="14" fill="${color}"/>`,
    `<line x1="${tick.toFixed(1)}" x2="${tick.toFixed(1)}" y1="${y - 2}" y2="${y + 20}" stroke="#222" stroke-width="2"/>`,
    `<text x="${x0 + W.track + 8}" y="${y + 13}" fill="${color}">${esc(text)}</text>`,
  ].join('')
}

export function renderChart(targets: Target[], subtitle: string): string {
  W.label = Math.ceil(Math.max(...targets.map((t) => t.label.length)) * CHAR) + 12
  width = W.label + W.track + W.text + 20
  const height = TOP + targets.length * ROW + 30
  const met = targets.filter((t) => t.met).length
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">Flash Deal benchmarks: ${met} of ${targets.length} targets met</text>`,
    `<text x="10" y="36" fill="#555">${esc(subtitle)} · bar = measured, black tick = goal, each row on its own scale</text>`,
    ...targets.map(row),
    `<text x="10" y="${height - 10}" fill="#555">Every figure is taken against a peer measured in the same run (see BENCHMARKS.md).</text>`,
    '</svg>',
    '',
  ].join('\n')
}
