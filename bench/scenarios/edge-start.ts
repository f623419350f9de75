import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startLocalStack, type StoreVars } from '../../dev/local-stack'
import { ROOT, spawnGroup, stopGroup } from '../lib/child'
import type { BenchEnv } from '../lib/env'
import { freePort, msUntil200 } from '../lib/ports'
import { ratio, round } from '../lib/stats'
import { target } from '../lib/target'
import type { Profile, ScenarioResult } from '../lib/types'

const BUDGET_KB = 250 // scripts/check-bundle.mjs's default budget
const START_TIMEOUT_MS = 90_000
const STATE_DIR = fileURLToPath(new URL('../results/tmp/wrangler-state', import.meta.url))

/** The Worker's gzip size as scripts/check-bundle.mjs prints it (it builds with wrangler deploy --dry-run). */
function bundleSize(): { rawKb: number; gzipKb: number } {
  const run = spawnSync('node', ['scripts/check-bundle.mjs', '--budget', '100000'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 })
  const m = /Worker bundle: ([\d.]+) KB raw, ([\d.]+) KB gzip/.exec(run.stdout)
  if (run.status !== 0 || !m) throw new Error(`check-bundle failed (${run.status}): ${run.stdout}\n${run.stderr}`)
  return { rawKb: Number(m[1]), gzipKb: Number(m[2]) }
}

/** Time from spawning a server (own process group) to the first 200 of its /health; then it is stopped. */
async function timeToHealthy(command: string, args: string[], port: number, env: Record<string, string>): Promise<number> {
  const started = process.hrtime.bigint()
  const child = spawnGroup(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = '' // the tail of what it printed, for the error when it fails
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-3000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited = false
  child.once('exit', () => (exited = true))
  try {
    return round(await msUntil200(`http://127.0.0.1:${port}/health`, started, START_TIMEOUT_MS, () => !exited))
  } catch (err) {
    throw new Error(`${command} ${args.slice(0, 2).join(' ')}: ${(err as Error).message}\n${output}`)
  } finally {
    await stopGroup(child.pid!)
  }
}

/**
 * Scenario 6: the Worker bundle's gzip size, and how long `wrangler dev`
 * (workerd) takes from start to its first healthy answer, against the Node
 * self-host entry started the same way (tsx src/entry/node.ts). Both talk to
 * the same local Upstash and Neon servers.
 */
export async function edgeStart(env: BenchEnv, _profile: Profile): Promise<ScenarioResult> {
  const bundle = bundleSize()
  const db = await env.database('edge')
  const stack = await startLocalStack({ redisUrl: env.redisUrl, database: { kind: 'postgres', url: db.url }, migrate: false })
  const prefix = env.prefix('edge')
  try {
    const vars: StoreVars & Record<string, string> = { ...stack.vars, REDIS_PREFIX: prefix, LOG_LEVEL: 'silent' }
    // Its own ports (the devtools one too, which another wrangler dev may hold) and state directory.
    const [wranglerPort, inspectorPort] = [await freePort(), await freePort()]
    const wranglerMs = await timeToHealthy(
      'npx',
      [
        'wrangler',
        'dev',
        '--port',
        String(wranglerPort),
        '--ip',
        '127.0.0.1',
        '--inspector-port',
        String(inspectorPort),
        '--show-interactive-dev-session=false',
        '--persist-to',
        STATE_DIR,
        ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      ],
      wranglerPort,
      { CI: 'true', WRANGLER_SEND_METRICS: 'false' },
    )
    const nodePort = await freePort()
    const nodeMs = await timeToHealthy(process.execPath, ['--import', 'tsx', 'src/entry/node.ts'], nodePort, {
      ...vars,
      PORT: String(nodePort),
      REDIS_URL: env.redisUrl,
    })
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
            ['node --import tsx src/entry/node.ts', nodeMs, 1],
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
