import type { ScenarioResult, Table, Target } from './types'

const cell = (v: string | number) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 3 }) : v)

/** A table as aligned text (numbers right, text left). */
export function textTable(t: Pick<Table, 'columns' | 'rows'>): string {
  const rows = [t.columns, ...t.rows.map((r) => r.map(cell))]
  const widths = t.columns.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)))
  const numeric = t.columns.map((_, i) => t.rows.length > 0 && t.rows.every((r) => typeof r[i] === 'number'))
  const line = (r: (string | number)[]) =>
    r
      .map((v, i) => (numeric[i] ? String(v).padStart(widths[i]!) : String(v).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')
}

/** A table as Markdown (for BENCHMARKS.md). */
export function markdownTable(t: Pick<Table, 'columns' | 'rows'>): string {
  const numeric = t.columns.map((_, i) => t.rows.length > 0 && t.rows.every((r) => typeof r[i] === 'number'))
  return [
    `| ${t.columns.join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map((v) => String(cell(v)).replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n')
}

const SIGN = { '>=': '≥', '<=': '≤', '<': '<', '==': '=' } as const
const goal = (t: Target) => `${SIGN[t.op]} ${t.goal}${t.unit}`

export const targetTable = (targets: Target[]): Table => ({
  title: 'Targets',
  columns: ['target', 'measured', 'goal', 'result', 'margin'],
  rows: targets.map((t) => [t.label, `${t.value}${t.unit}`, goal(t), t.met ? 'met' : 'MISSED', t.margin]),
})

export function printScenario(r: ScenarioResult): void {
  console.log(`\n== ${r.title}${r.seconds === undefined ? '' : ` (${r.seconds} s)`}`)
  for (const t of r.tables) console.log(`\n${t.title}\n${textTable(t)}`)
}
