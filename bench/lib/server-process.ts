import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ROOT, spawnGroup, stopGroup } from './child'
import { freePort, msUntil200 } from './ports'
import { round } from './stats'

/** A server started as a command of its own (wrangler dev, node dist/node.js), healthy and serving. */
export interface ServerProcess {
  /** http://127.0.0.1:<port> */
  url: string
  port: number
  /** its process group (the command and everything it started) */
  pid: number
  /** ms from spawn to the first 200 of GET /health */
  startMs: number
  stop(): Promise<void>
}

const START_TIMEOUT_MS = 90_000

/**
 * Spawns `command` in a process group of its own and waits for the first 200
 * of `GET /health` on `port`; on failure the group is stopped and the error
 * carries the tail of what it printed.
 */
export async function startServerProcess(command: string, args: string[], port: number, env: Record<string, string>): Promise<ServerProcess> {
  const started = process.hrtime.bigint()
  const child = spawnGroup(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = '' // the tail of what it printed, for the error when it fails
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-3000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const url = `http://127.0.0.1:${port}`
  try {
    const startMs = round(await msUntil200(`${url}/health`, started, START_TIMEOUT_MS, () => !exited))
    return { url, port, pid: child.pid!, startMs, stop: () => stopGroup(child.pid!) }
  } catch (err) {
    await stopGroup(child.pid!)
    throw new Error(`${command} ${args.slice(0, 2).join(' ')}: ${(err as Error).message}\n${output}`)
  }
}

const WRANGLER_STATE = fileURLToPath(new URL('../results/tmp/wrangler-state', import.meta.url))

/**
 * The Worker in workerd, as `npx wrangler dev` serves it (esbuild bundle of
 * src/entry/worker.ts), on ports of its own (the devtools one too, which
 * another wrangler dev may hold), state in bench/results/tmp/, each variable
 * given by `--var KEY:VALUE` (they override wrangler.toml's [vars]).
 */
export async function startWranglerDev(vars: Record<string, string>): Promise<ServerProcess> {
  const [port, inspectorPort] = [await freePort(), await freePort()]
  const args = [
    'wrangler',
    'dev',
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--inspector-port',
    String(inspectorPort),
    '--show-interactive-dev-session=false',
    '--persist-to',
    WRANGLER_STATE,
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ]
  return startServerProcess('npx', args, port, { CI: 'true', WRANGLER_SEND_METRICS: 'false' })
}

/** The self-hosted server as `npm start` runs it (node dist/node.js; build it first with `npm run build`). */
export async function startBuiltSelfHost(vars: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort()
  return startServerProcess(process.execPath, ['dist/node.js'], port, { ...vars, PORT: String(port) })
}

/** `npm run build`: dist/node.js from the current sources. */
export function buildSelfHost(): void {
  const run = spawnSync(process.execPath, ['scripts/build-node.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  if (run.status !== 0) throw new Error(`npm run build failed (${run.status}): ${run.stdout}\n${run.stderr}`)
}
