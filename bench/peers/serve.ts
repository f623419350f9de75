/**
 * One server of the HTTP scenario in a process of its own:
 *   node --import tsx bench/peers/serve.ts <kind>   (options as JSON in BENCH_PEER)
 * prints `READY <json>` once it serves, stops on SIGTERM.
 */
import { startLocalStack } from '../../dev/local-stack'
import { startBareHono } from './bare-hono'
import { startFlashDeal } from './flash-deal'
import { startFloor } from './floor'
import { startOriginal } from './original'
import { startPostgresOnly } from './postgres-only'
import type { Started } from './server'

type Options = { redisUrl: string; prefix: string; databaseUrl: string; vars: Parameters<typeof startFlashDeal>[0]['vars'] }

const starters: Record<string, (o: Options) => Promise<Started<unknown>>> = {
  bare: () => startBareHono(),
  floor: (o) => startFloor(o),
  'self-host': (o) => startFlashDeal({ mode: 'self-host', ...o }),
  edge: (o) => startFlashDeal({ mode: 'edge', ...o }),
  // the edge app with the shipped limits, clients told apart by cf-connecting-ip
  'edge-shipped': (o) => startFlashDeal({ mode: 'edge', shipped: true, ...o }),
  original: (o) => startOriginal(o),
  'postgres-only': (o) => startPostgresOnly(o),
  // the local Upstash- and Neon-compatible servers the app's clients talk to
  stack: async (o) => {
    const stack = await startLocalStack({ redisUrl: o.redisUrl, database: { kind: 'postgres', url: o.databaseUrl }, migrate: false })
    return { info: stack.vars, close: stack.close }
  },
}

const kind = process.argv[2] ?? ''
const start = starters[kind]
if (!start) {
  console.error(`serve.ts: unknown server "${kind}" (one of ${Object.keys(starters).join(', ')})`)
  process.exit(2)
}
const started = await start(JSON.parse(process.env.BENCH_PEER ?? '{}') as Options)
let closing = false
const stop = () => {
  if (closing) return
  closing = true
  void started.close().finally(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
console.log(`READY ${JSON.stringify(started.info)}`)
