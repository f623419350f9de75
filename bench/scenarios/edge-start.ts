import { spawnSync } from 'node:child_process'
import { startLocalStack } from '../../dev/local-stack'
import { ROOT } from '../lib/child'
import type { BenchEnv } from '../lib/env'
import { buildSelfHost, startBuiltSelfHost, startWranglerDev, type ServerProcess } from '../lib/server-process'
import { ratio } from '../lib/stats'
import { target } from '../lib/target'
import type { Profile, ScenarioResult } from '../lib/types'

const BUDGET_KB = 250 // scripts/check-bundle.mjs's default budget

/** The Worker's gzip size as scripts/check-bundle.mjs prints it (it builds with wrangler deploy --dry-run). */
function bundleSize(): { rawKb: number; gzipKb: number } {
  const run = spawnSync('node', ['scripts/check-bundle.mjs', '--budget', '100000'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 })
  const m = /Worker bundle: ([\d.]+) KB raw, ([\d.]+) KB gzip/.exec(run.stdout)
  if (run.status !== 0 || !m) throw new Error(`check-bundle failed (${run.status}): ${run.stdout}\n${run.stderr}`)
  return { rawKb: Number(m[1]), gzipKb: Number(m[2]) }
}

/** ms from spawning a server to its first healthy answer; then it is stopped. */
async function timeToHealthy(start: () => Promise<ServerProcess>): Promise<number> {
  const server = await start()
  await server.stop()
  return server.startMs
}

/**
 * Scenario 6: the Worker bundle's gzip size, and how long `wrangler dev`
 * (workerd) takes from spawn to its first healthy answer against the local
 * Upstash and Neon servers, next to the self-hosted server as `npm start`
 * runs it (node dist/node.js, built first) on the same Redis and Postgres.
 */
export async function edgeStart(env: BenchEnv, _profile: Profile): Promise<ScenarioResult> {
  const bundle = bundleSize()
  buildSelfHost()
  const db = await env.database('edge')
  const stack = await startLocalStack({ redisUrl: env.redisUrl, database: { kind: 'postgres', url: db.url }, migrate: false })
  const prefix = env.prefix('edge')
  try {
    const common = { REDIS_PREFIX: prefix, LOG_LEVEL: 'silent' }
    const wranglerMs = await timeToHealthy(() => startWranglerDev({ ...stack.vars, ...common }))
    const nodeMs = await timeToHealthy(() => startBuiltSelfHost({ ...common, REDIS_URL: env.redisUrl, DATABASE_URL: db.url }))
    return {
      id: 'edge',
      title: 'Edge start: Worker bundle and time to the first healthy answer',
      tables: [
        {
          title: 'Worker bundle (scripts/check-bundle.mjs)',
          columns: ['raw KB', 'gzip KB', 'budget KB gzip'],
          rows: [[bundle.rawKb, bundle.gzipKb, BUDGET_KB]],
        },
        {
          title: 'spawn → first 200 of GET /health, ms',
          columns: ['server', 'ms', '÷ Node self-host'],
          rows: [
            ['npx wrangler dev (esbuild bundle + workerd)', wranglerMs, ratio(wranglerMs, nodeMs)],
            ['node dist/node.js (npm start)', nodeMs, 1],
          ],
        },
      ],
      targets: [target('edge.bundle', 'Worker bundle, gzip', bundle.gzipKb, '<=', BUDGET_KB, ' KB')],
      data: { bundle, wranglerMs, nodeMs },
    }
  } finally {
    await stack.close()
  }
}
