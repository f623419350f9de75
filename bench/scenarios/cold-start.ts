import type { BenchEnv } from '../lib/env'
import type { Profile, ScenarioResult } from '../lib/types'
import { measureWorkerStartup } from '../lib/worker-startup'

/**
 * Scenario 9 (issue 16, item 7): the Worker's start-up CPU — the evaluation
 * of its modules in workerd, profiled as `wrangler check startup` does —
 * over several fresh start-ups, and where it goes by package and function.
 * No goal: a figure to compare before and after a change.
 */
export async function coldStart(_env: BenchEnv, profile: Profile): Promise<ScenarioResult> {
  const s = measureWorkerStartup(profile.startupRuns)
  const busy = s.medianMs
  return {
    id: 'cold',
    title: `Cold start: the Worker's start-up CPU in workerd (wrangler check startup), ${s.runs.length} start-ups`,
    tables: [
      {
        title: `CPU ms per start-up (V8 samples, idle left out), bundle ${s.bundleKb} KB raw`,
        columns: ['start-up', 'busy ms', 'in the bundle', 'GC', 'V8/workerd outside JS'],
        rows: [
          ...s.runs.map((r, i) => [`#${i + 1}`, r.busyMs, r.scriptMs, r.gcMs, r.programMs] as (string | number)[]),
          [`median (min ${s.minMs}, max ${s.maxMs})`, busy, '', '', ''],
        ],
      },
      {
        title: "where the bundle's start-up time goes, by package or file (self time, mean ms per start-up)",
        columns: ['package or file', 'ms'],
        rows: s.byPlace,
      },
      { title: 'by function (self time, mean ms per start-up)', columns: ['function', 'ms'], rows: s.byFunction },
    ],
    targets: [],
    data: { ...s },
  }
}
