/** How long and how big a run is: `npm run bench` is quick, `--full` is the long one. */
export interface Profile {
  name: 'quick' | 'full'
  /** closed-loop engine runs, each */
  engineMs: number
  /** one autocannon run, and its warm-up */
  httpSeconds: number
  httpWarmupSeconds: number
  /** every server runs this many times at each connection count, in turns */
  httpRounds: number
  connections: number[]
  /** active holds on the loaded product of the scale scenario */
  scaleHolds: number
  /** shoppers in the waiting room's line of the waiting-room scenario */
  queueShoppers: number
  /** sequential latency samples per side */
  latencySamples: number
  stormHolds: number
  /** how long the storm's holds last: longer than building them takes */
  stormHoldMs: number
  stormReserves: number
  /** drop day: units on sale (max_per_user 1), the bot's invented ids, customers (one address each) */
  dropStock: number
  dropBotIds: number
  dropCustomers: number
  /** latency: timed calls of each kind at each simulated store RTT */
  rttSamples: number
  /** cold start: profiled start-ups of the Worker */
  startupRuns: number
}

export const PROFILES: Record<Profile['name'], Profile> = {
  quick: {
    name: 'quick',
    engineMs: 2000,
    httpSeconds: 3,
    httpWarmupSeconds: 3,
    httpRounds: 2,
    connections: [50, 200],
    scaleHolds: 100_000,
    queueShoppers: 100_000,
    latencySamples: 2000,
    stormHolds: 20_000,
    stormHoldMs: 3000,
    stormReserves: 1000,
    dropStock: 100,
    dropBotIds: 1000,
    dropCustomers: 200,
    rttSamples: 15,
    startupRuns: 3,
  },
  full: {
    name: 'full',
    engineMs: 5000,
    httpSeconds: 10,
    httpWarmupSeconds: 5,
    httpRounds: 3,
    connections: [50, 200],
    scaleHolds: 1_000_000,
    queueShoppers: 1_000_000,
    latencySamples: 10_000,
    stormHolds: 100_000,
    stormHoldMs: 10_000,
    stormReserves: 1000,
    dropStock: 1000,
    dropBotIds: 10_000,
    dropCustomers: 2000,
    rttSamples: 60,
    startupRuns: 10,
  },
}

export type Comparison = '>=' | '<=' | '<' | '=='

/** One goal of the issue, measured. */
export interface Target {
  id: string
  label: string
  value: number
  goal: number
  op: Comparison
  unit: string
  met: boolean
  /** how far from the goal, in words ("+35% over", "missed by 0.8 ms") */
  margin: string
  /** why it was missed, when it was (filled in by the scenario) */
  note?: string
}

/** One printed table of a scenario: column names and rows of cells. */
export interface Table {
  title: string
  columns: string[]
  rows: (string | number)[][]
}

export interface ScenarioResult {
  id: string
  title: string
  tables: Table[]
  targets: Target[]
  /** raw figures for the JSON file */
  data: Record<string, unknown>
  seconds?: number
}
