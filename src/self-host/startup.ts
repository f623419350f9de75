import { sql } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import { redactUrl } from '../lib/redact-url'
import type { SelfHost, SelfHostConfig } from './deps'

/**
 * Why the server cannot start, in one line per problem: the variable, the
 * step that failed and its cause, never a stack trace.
 */
export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `Cannot start: ${p}`).join('\n'))
    this.name = 'StartupError'
  }
}

/** The tables the migrations create (drizzle/); their absence means they were never applied. */
const TABLES = ['products', 'orders'] as const

/** The innermost message of an error chain (drizzle and the engine wrap the driver's), on one line. */
export function causeOf(err: unknown): string {
  let current = err
  while (current instanceof Error && current.cause instanceof Error) current = current.cause
  // A host with several addresses (localhost: ::1 and 127.0.0.1) fails with one error per address.
  if (current instanceof AggregateError && current.errors.length) current = current.errors[0]
  const text = current instanceof Error ? current.message || (current as { code?: string }).code || current.name : String(current)
  return text.replace(/\s+/g, ' ').trim().slice(0, 300)
}

/** Resolves once the connection is ready; rejects with its first error or after `timeoutMs`. */
function connected(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    const onReady = () => settle()
    const onError = (err: Error) => settle(err)
    function settle(err?: Error) {
      clearTimeout(timer)
      redis.off('ready', onReady)
      redis.off('error', onError)
      if (err) reject(err)
      else resolve()
    }
    redis.on('ready', onReady)
    redis.on('error', onError)
  })
}

async function checkRedis(host: SelfHost, config: SelfHostConfig): Promise<string | undefined> {
  const where = `Redis at REDIS_URL=${redactUrl(config.REDIS_URL)}`
  try {
    await connected(host.redis, host.redis.options.connectTimeout ?? 3000)
  } catch (err) {
    return `${where} failed at "connect": ${causeOf(err)}`
  }
  try {
    await host.engine.ping()
  } catch (err) {
    return `${where} failed at "run a Lua script": ${causeOf(err)}`
  }
  return undefined
}

async function checkPostgres(host: SelfHost, config: SelfHostConfig): Promise<string | undefined> {
  const via =
    host.postgres === 'neon-http' ? ` over Neon HTTP${config.NEON_FETCH_ENDPOINT ? ` (NEON_FETCH_ENDPOINT=${config.NEON_FETCH_ENDPOINT})` : ''}` : ''
  const where = `Postgres at DATABASE_URL=${redactUrl(config.DATABASE_URL)}${via}`
  let present: Record<string, unknown> | undefined
  try {
    const columns = sql.join(
      TABLES.map((t) => sql`to_regclass(${t}) is not null as ${sql.identifier(t)}`),
      sql`, `,
    )
    present = (await host.deps().db.execute(sql`select ${columns}`)).rows[0]
  } catch (err) {
    return `${where} failed at "connect": ${causeOf(err)}`
  }
  const missing = TABLES.filter((t) => present?.[t] !== true)
  if (missing.length) {
    const names = missing.map((t) => `"${t}"`).join(', ')
    return `${where} failed at "check the migrations": no table ${names}; apply the migrations with \`npm run db:migrate\` and this DATABASE_URL`
  }
  return undefined
}

/**
 * Checks that Redis answers and runs scripts, and that Postgres answers and
 * has the migrations' tables — both at once; throws StartupError naming
 * every problem.
 */
export async function checkStores(host: SelfHost, config: SelfHostConfig): Promise<void> {
  const problems = (await Promise.all([checkRedis(host, config), checkPostgres(host, config)])).filter((p): p is string => p !== undefined)
  if (problems.length) throw new StartupError(problems)
}
