/**
 * `npm run dev`: the Worker under `wrangler dev`, talking through its
 * production clients to local Upstash- and Neon-compatible services over a
 * real Redis and an embedded PGlite (or the Postgres in DATABASE_URL).
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, parseConfig } from '../src/env'
import { migratePostgres } from './migrate'
import { startLocalStack, type LocalDatabase, type LocalStack } from './local-stack'
import { DATA_DIR, DEV_VARS, ROOT } from './paths'
import { stopGroup } from './process-group'
import { ensureRedis, type RedisHandle } from './redis'
import { isLoopbackUrl, workerVars } from './worker-vars'

const env = process.env
const stoppers: (() => Promise<void>)[] = []
let stopping = false

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    for (const stop of stoppers.reverse()) await stop().catch((err) => console.error(err))
  }
  process.exit(code)
}
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))

async function main() {
  const dataDir = env.DEV_DATA_DIR ?? DATA_DIR
  const realRedis = Boolean(env.UPSTASH_REDIS_REST_URL)
  const realDb = Boolean(env.DATABASE_URL && !isLoopbackUrl(env.DATABASE_URL))
  const connected: string[] = []
  let stack: LocalStack | undefined

  let redis: RedisHandle | undefined
  if (realRedis) connected.push(`Redis: Upstash at ${env.UPSTASH_REDIS_REST_URL}`)
  else {
    redis = await ensureRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379')
    stoppers.push(redis.stop)
  }
  const database: LocalDatabase = env.DATABASE_URL
    ? { kind: 'postgres', url: env.DATABASE_URL }
    : { kind: 'pglite', dir: join(dataDir, 'pglite') }
  if (realDb) connected.push(`Postgres: ${new URL(env.DATABASE_URL!).host} (Neon)`)

  if (!realRedis || !realDb) {
    // Both local servers start together; the one a real service replaces is simply not used.
    stack = await startLocalStack({ redisUrl: redis?.url ?? 'redis://127.0.0.1:6379', database })
    stoppers.push(stack.close)
    if (redis) connected.push(`Redis: ${redis.url}${redis.started ? ' (started for this run)' : ''} via local Upstash REST ${stack.vars.UPSTASH_REDIS_REST_URL}`)
    if (!realDb) {
      const where = database.kind === 'postgres' ? new URL(database.url).host : `embedded PGlite in ${database.dir}`
      connected.push(`Postgres: ${where} via local Neon HTTP ${stack.vars.NEON_FETCH_ENDPOINT}`)
    }
  }

  const vars = workerVars(env, stack?.vars, { realRedis, realDb })
  vars.ADMIN_TOKEN ??= adminToken(dataDir)
  const config = parseConfig(vars) // stops here, naming the variable, when a value is bad
  if (realDb) await migratePostgres(env.DATABASE_URL!)
  writeFileSync(DEV_VARS, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n')

  const wrangler = spawn(
    'npx',
    ['wrangler', 'dev', '--port', String(config.PORT), '--ip', '127.0.0.1', '--show-interactive-dev-session=false'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } },
  )
  stoppers.push(() => stopGroup(wrangler.pid!))
  wrangler.stdout.on('data', (d) => process.stdout.write(prefixLines(d)))
  wrangler.stderr.on('data', (d) => process.stderr.write(prefixLines(d)))
  wrangler.once('exit', (code) => {
    if (!stopping) {
      console.error(`wrangler dev exited (${code})`)
      void stopAll(code ?? 1)
    }
  })

  const url = `http://127.0.0.1:${config.PORT}`
  await waitForHealth(`${url}/health`)
  console.log(
    [
      '',
      `Flash Deal is running on ${url}`,
      ...connected.map((l) => `  ${l}`),
      `  Admin token (product writes): ${vars.ADMIN_TOKEN}`,
      `  API reference: ${url}/api/docs`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  )
}

/** A local admin token, made once and kept with the dev data so curl examples keep working. */
function adminToken(dataDir: string): string {
  const file = join(dataDir, 'admin-token')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const token = randomBytes(24).toString('base64url')
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(file, `${token}\n`, { mode: 0o600 })
  return token
}

function prefixLines(chunk: Buffer): string {
  return chunk
    .toString()
    .split('\n')
    .map((line) => (line ? `[wrangler] ${line}` : line))
    .join('\n')
}

async function waitForHealth(url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url)
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`)
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err)
  void stopAll(1)
})
