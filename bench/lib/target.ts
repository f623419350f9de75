import type { Comparison, Target } from './types'

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2))

/** A goal checked against a measured value, with how far it is from it. */
export function target(id: string, label: string, value: number, op: Comparison, goal: number, unit = ''): Target {
  const met = op === '>=' ? value >= goal : op === '<=' ? value <= goal : op === '<' ? value < goal : value === goal
  let margin: string
  if (op === '==') margin = met ? 'exact' : `${value > goal ? '+' : ''}${fmt(value - goal)}${unit}`
  else {
    // Relative distance to the goal: positive = better than the goal.
    const better = op === '>=' ? value - goal : goal - value // '<' and '<=' alike
    const pct = goal === 0 ? 0 : (better / Math.abs(goal)) * 100
    margin =
      better === 0
        ? met
          ? 'at the goal'
          : 'equal to the goal, not below it'
        : `${met ? 'met' : 'missed'} by ${fmt(Math.abs(better))}${unit} (${pct >= 0 ? '+' : ''}${pct.toFixed(0)}%)`
  }
  return { id, label, value, goal, op, unit, met, margin }
}

/** Attaches the reason for a miss; a met target keeps no note. */
export function explain(t: Target, why: string): Target {
  return t.met ? t : { ...t, note: why }
}
