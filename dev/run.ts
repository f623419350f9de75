/**
 * `npm run dev`: the Worker under `wrangler dev`, talking through its
 * production clients to local Upstash- and Neon-compatible services over a
 * real Redis and an embedded PGlite (or the Postgres in DATABASE_URL).
 *
 * It says "running" only once its own Worker answers /health, and writes
 * .dev.vars only then; every failure is one line naming the variable and the
 * step, and whatever it started is stopped again.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, relative } from 'node:path'
import { parseEnv } from 'node:util'
import { CONFIG_VARIABLES, ConfigError, parseConfig, type Config } from '../src/env'
import { dotenvFile, writePrivateFile } from './dotenv'
import { redactUrl } from '../src/lib/redact-url'
import { describeFailure, step, StepError } from './failure'
import { devVarsHeader, devVarsOwner, lockDataDir, pidAlive } from './instance'
import { startLocalStack, type LocalDatabase, type LocalStack } from './local-stack'
import { migratePostgres } from './migrate'
import { parseDevOptions } from './options'
import { DEV_VARS, ROOT } from './paths'
import { stopGroup } from './process-group'
import { DEFAULT_REDIS_URL, ensureRedis } from './redis'
import { isLoopbackUrl, workerVars } from './worker-vars'

const stoppers: (() => Promise<void> | void)[] = []
let stopping = false

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    for (const stop of stoppers.reverse()) {
      try {
        await stop()
      } catch (err) {
        console.error(`npm run dev: while stopping: ${describeFailure(err)}`)
      }
    }
  }
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0))

/** The environment, with a project .env (if any) under it: variables set in the shell win. */
function environment(): Record<string, string | undefined> {
  const file = join(ROOT, '.env')
  return existsSync(file) ? { ...parseEnv(readFileSync(file, 'utf8')), ...process.env } : { ...process.env }
}

async function main() {
  const env = environment()
  const dev = parseDevOptions(env)
  const realRedis = Boolean(env.UPSTASH_REDIS_REST_URL)
  // Every value given is checked before anything starts; the local services fill in the rest.
  const given = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, env[name]]))
  const config = parseConfig({
    ...given,
    ...(realRedis ? {} : { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1', UPSTASH_REDIS_REST_TOKEN: 'local' }),
    DATABASE_URL: env.DATABASE_URL || 'postgresql://127.0.0.1/local',
  })
  const databaseUrl = env.DATABASE_URL || undefined
  const realDb = databaseUrl !== undefined && !isLoopbackUrl(databaseUrl)
  const url = `http://127.0.0.1:${config.PORT}`

  await checkPortFree(config.PORT) // before anything is written
  mkdirSync(dev.dataDir, { recursive: true })
  stoppers.push(lockDataDir(dev.dataDir, `npm run dev on ${url}`))

  const connected: string[] = []
  let stack: LocalStack | undefined
  let redisUrl: string | undefined
  if (realRedis) connected.push(`Redis: Upstash at ${env.UPSTASH_REDIS_REST_URL}`)
  else {
    const redis = await ensureRedis(dev.redisUrl)
    stoppers.push(redis.stop)
    redisUrl = redis.url
    connected.push(`Redis: ${redactUrl(redis.url)}${redis.started ? ' (started for this run)' : ''} via the local Upstash server`)
  }
  if (databaseUrl) {
    const where = `DATABASE_URL (${redactUrl(databaseUrl)})`
    await step(`${where}: applying the migrations`, () => migratePostgres(databaseUrl))
    connected.push(realDb ? `Postgres: ${new URL(databaseUrl).host} (Neon)` : `Postgres: ${new URL(databaseUrl).host} via the local Neon server`)
  }
  const database: LocalDatabase = databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite', dir: join(dev.dataDir, 'pglite') }
  if (database.kind === 'pglite') connected.push(`Postgres: embedded PGlite in ${database.dir} via the local Neon server`)
  if (!realRedis || !realDb) {
    // Both local servers start together; the one a real service replaces is simply not used.
    stack = await step('Starting the local Upstash- and Neon-compatible servers', () =>
      startLocalStack({ redisUrl: redisUrl ?? DEFAULT_REDIS_URL, database, migrate: database.kind === 'pglite', rttMs: dev.rttMs }),
    )
    stoppers.push(stack.close)
    if (dev.rttMs > 0) connected.push(`Local stores answer ${dev.rttMs} ms late (LOCAL_STORE_RTT_MS)`)
  }

  const vars = workerVars(env, stack?.vars, { realRedis, realDb })
  vars.ADMIN_TOKEN ??= keptSecret(dev.dataDir, 'admin-token')
  vars.QUEUE_SECRET ??= keptSecret(dev.dataDir, 'queue-secret')
  parseConfig(vars)
  const envFile = join(dev.dataDir, 'worker.env')
  writePrivateFile(envFile, dotenvFile(vars, ['The Worker variables of the running npm run dev.'], true))
  stoppers.push(() => rmSync(envFile, { force: true }))

  await startWrangler(config, envFile)
  await waitForHealth(url, { realRedis, realDb })

  const devVars = writeDevVars(vars, url, dev.dataDir)
  console.log(
    [
      '',
      `Flash Deal is running on ${url}`,
      ...connected.map((l) => `  ${l}`),
      `  Admin token (product writes): ${vars.ADMIN_TOKEN}`,
      `  API reference: ${url}/api/docs`,
      `  ${devVars}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  )
}

/** Refuses a busy PORT with the fix, before wrangler would fail on it halfway. */
async function checkPortFree(port: number): Promise<void> {
  const problem = await new Promise<string | undefined>((resolve) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(undefined)))
  })
  if (problem === 'EADDRINUSE') {
    throw new StepError(
      `PORT ${port} is already in use on 127.0.0.1 (another npm run dev?). Stop what listens there, or choose another port: PORT=${port === 3000 ? 3001 : 3000} npm run dev`,
    )
  }
  if (problem) throw new StepError(`PORT ${port} cannot be listened on (${problem}); choose another port, e.g. PORT=3000 npm run dev`)
}

/** A local secret (the admin token, the waiting room's key), made once and kept with the dev data so curl examples and tickets keep working. */
function keptSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const token = randomBytes(24).toString('base64url')
  writeFileSync(file, `${token}\n`, { mode: 0o600 })
  return token
}

const ANSI = /\x1b\[[0-9;]*m/g
/**
 * wrangler's own line per request. The app already logs each request as a
 * JSON line, and wrangler 4.86 has no switch for these: its proxy Miniflare
 * always logs requests at info, the level that also carries the app's logs.
 */
const WRANGLER_REQUEST_LINE = /^\[wrangler:info\] [A-Z]+ \S+ \d{3} .*\(\d+ms\)$/

/** Forwards wrangler's output line by line, prefixed, without its request lines; `onLine` sees each line. */
function forward(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream, onLine: (plain: string) => void): void {
  let pending = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      const plain = line.replace(ANSI, '')
      onLine(plain)
      if (!WRANGLER_REQUEST_LINE.test(plain)) out.write(line ? `[wrangler] ${line}\n` : '\n')
    }
  })
}

/** Starts wrangler dev in its own process group; resolves once it reports serving on PORT. */
async function startWrangler(config: Config, envFile: string): Promise<void> {
  const wrangler = spawn(
    'npx',
    ['wrangler', 'dev', '--port', String(config.PORT), '--ip', '127.0.0.1', '--show-interactive-dev-session=false', '--env-file', envFile],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: {
        ...process.env,
        CI: 'true',
        WRANGLER_SEND_METRICS: 'false',
        // Offline, fetching the Request.cf object fails with a warning; its placeholder is all the app needs.
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: 'true',
        CLOUDFLARE_INCLUDE_PROCESS_ENV: 'false',
      },
    },
  )
  stoppers.push(() => stopGroup(wrangler.pid!))
  const ready = `Ready on http://127.0.0.1:${config.PORT}`
  let portTaken = false
  let served = false
  await new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => {
      if (line.includes(ready)) {
        served = true
        resolve()
      }
      if (line.includes('Address already in use')) portTaken = true
    }
    forward(wrangler.stdout, process.stdout, onLine)
    forward(wrangler.stderr, process.stderr, onLine)
    setTimeout(() => reject(new StepError(`Starting wrangler dev: it did not report "${ready}" within 120 s (its output is above)`)), 120_000).unref()
    wrangler.once('exit', (code) => {
      if (stopping) return
      if (!served) {
        const why = portTaken
          ? `PORT ${config.PORT} was taken before wrangler could listen on it`
          : `it exited with code ${code} (its output is above)`
        return reject(new StepError(`Starting wrangler dev: ${why}`))
      }
      // The Worker is gone, so is this dev server.
      console.error(`\nnpm run dev: wrangler dev exited with code ${code} (its output is above)\n`)
      void stopAll(code || 1)
    })
  })
}

/**
 * Waits for the Worker's own /health to be 200. A 503 that lasts names the
 * store it cannot reach and the variables that point at it.
 */
async function waitForHealth(url: string, real: { realRedis: boolean; realDb: boolean }): Promise<void> {
  const deadline = Date.now() + 20_000
  let last = 'no answer'
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`${url}/health`)
      if (res.status === 200) return
      const body = (await res.json().catch(() => ({}))) as { details?: { dependency: string; status: string; error?: string }[] }
      last =
        (body.details ?? [])
          .filter((d) => d.status === 'down')
          .map((d) => `${d.dependency} is down (${d.error ?? 'no detail'}): check ${storeVariables(d.dependency, real)}`)
          .join('; ') || `HTTP ${res.status}`
    } catch (err) {
      last = describeFailure(err)
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new StepError(`The Worker serves on ${url}, but /health is not OK after 20 s: ${last}`)
}

function storeVariables(dependency: string, real: { realRedis: boolean; realDb: boolean }): string {
  if (dependency === 'redis')
    return real.realRedis ? 'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN' : 'REDIS_URL (behind the local Upstash server)'
  return real.realDb ? 'DATABASE_URL (Neon)' : 'DATABASE_URL, or the embedded PGlite in DEV_DATA_DIR (behind the local Neon server)'
}

/**
 * .dev.vars (mode 0600) for `npm run reconcile:dev`, written once the Worker
 * serves and removed when this instance stops. Another running instance's
 * .dev.vars is left alone. Returns the line for the banner.
 */
function writeDevVars(vars: Record<string, string>, url: string, dataDir: string): string {
  const shown = relative(process.cwd(), DEV_VARS) || DEV_VARS
  const owner = existsSync(DEV_VARS) ? devVarsOwner(readFileSync(DEV_VARS, 'utf8')) : undefined
  if (owner !== undefined && owner !== process.pid && pidAlive(owner)) {
    return `${shown} belongs to the npm run dev with pid ${owner}: npm run reconcile:dev talks to that one`
  }
  writePrivateFile(DEV_VARS, dotenvFile(vars, devVarsHeader(url, dataDir), false))
  stoppers.push(() => {
    if (existsSync(DEV_VARS) && devVarsOwner(readFileSync(DEV_VARS, 'utf8')) === process.pid) rmSync(DEV_VARS)
  })
  return `Worker variables: ${shown} (for npm run reconcile:dev)`
}

main().catch((err) => {
  const message = err instanceof StepError || err instanceof ConfigError ? err.message : describeFailure(err)
  if (!stopping) console.error(`\nnpm run dev: ${message}\n`)
  void stopAll(1)
})
