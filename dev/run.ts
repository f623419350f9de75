/**
 * `npm run dev`: the Worker under `wrangler dev`, talking through its
 * production clients to local Upstash- and Neon-compatible services over a
 * real Redis and an embedded PGlite (or the Postgres in DATABASE_URL).
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { ConfigError, parseConfig } from '../src/env'
import { startLocalStack, type LocalDatabase, type LocalStack } from './local-stack'
import { DEV_VARS, PGLITE_DIR, ROOT } from './paths'
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
  const realRedis = Boolean(env.UPSTASH_REDIS_REST_URL)
  const realDb = Boolean(env.DATABASE_URL && !isLoopbackUrl(env.DATABASE_URL))
  let stack: LocalStack | undefined
  let redis: RedisHandle | undefined
  const connected: string[] = []

  if (!realRedis || !realDb) {
    if (!realRedis) {
      redis = await ensureRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379')
      stoppers.push(redis.stop)
    }
    const database: LocalDatabase = env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL }
      : { kind: 'pglite', dir: env.DEV_DATA_DIR ?? PGLITE_DIR }
    stack = await startLocalStack({ redisUrl: redis?.url ?? 'redis://127.0.0.1:6379', database })
    stoppers.push(stack.close)
  }
  if (realRedis) connected.push(`Redis: Upstash at ${env.UPSTASH_REDIS_REST_URL}`)
  else connected.push(`Redis: ${redis!.url}${redis!.started ? ' (started by npm run dev)' : ''} via local Upstash REST ${stack!.vars.UPSTASH_REDIS_REST_URL}`)
  if (realDb) connected.push(`Postgres: ${new URL(env.DATABASE_URL!).host} (Neon)`)
  else connected.push(`Postgres: ${env.DATABASE_URL ? new URL(env.DATABASE_URL).host : `embedded PGlite in ${PGLITE_DIR}`} via local Neon HTTP ${stack!.vars.NEON_FETCH_ENDPOINT}`)

  const vars = workerVars(env, stack?.vars, { realRedis, realDb })
  const config = parseConfig(vars) // stops here, naming the variable, when a value is bad
  if (realDb) {
    const { migratePostgres } = await import('./migrate')
    await migratePostgres(env.DATABASE_URL!)
  }
  writeFileSync(DEV_VARS, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n')

  const wrangler = spawn(
    'npx',
    ['wrangler', 'dev', '--port', String(config.PORT), '--ip', '127.0.0.1', '--show-interactive-dev-session=false'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } },
  )
  stoppers.push(
    () =>
      new Promise<void>((resolve) => {
        if (wrangler.exitCode !== null || wrangler.signalCode !== null) return resolve()
        wrangler.once('exit', () => resolve())
        try {
          process.kill(-wrangler.pid!, 'SIGTERM') // the whole group: npx, wrangler, workerd
        } catch {
          resolve()
        }
      }),
  )
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
  console.log(['', `Flash Deal is running on ${url}`, ...connected.map((l) => `  ${l}`), '  Ctrl-C stops everything.', ''].join('\n'))
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
