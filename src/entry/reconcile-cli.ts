/**
 * `npm run reconcile`: one reconciler run from a shell, configured like the
 * Worker by environment variables (`npm run reconcile:dev` runs it with the
 * variables of a running `npm run dev`). Failures are one line, no stack.
 */
import { edgeDeps } from '../deps'
import { ConfigError, parseConfig, type Config } from '../env'
import { StoreUnavailableError } from '../errors/store-unavailable'
import { reconcile } from '../services/reconcile'

const STORE_VARIABLES = ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'DATABASE_URL'] as const

/** The innermost reason: "fetch failed" says less than the ECONNREFUSED under it. */
function rootMessage(err: unknown): string {
  let current = err
  while (current instanceof Error && current.cause instanceof Error) current = current.cause
  return current instanceof Error ? current.message : String(current)
}

/** What failed, naming the variable that points at the store. */
function describe(err: unknown, config: Config): string {
  if (err instanceof StoreUnavailableError) {
    const where =
      err.store === 'redis'
        ? `Redis at UPSTASH_REDIS_REST_URL (${config.UPSTASH_REDIS_REST_URL})`
        : `Postgres at DATABASE_URL (host ${new URL(config.DATABASE_URL).host})`
    return `${where} did not answer: ${rootMessage(err.cause)}`
  }
  return rootMessage(err)
}

async function main(): Promise<number> {
  const missing = STORE_VARIABLES.filter((name) => !process.env[name])
  if (missing.length > 0) {
    console.error(
      `npm run reconcile works on the stores the Worker uses: set ${missing.join(', ')} (the Worker's values). ` +
        'For the stores of a running `npm run dev`, use `npm run reconcile:dev`.',
    )
    return 1
  }
  let config: Config
  try {
    config = parseConfig(process.env)
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : rootMessage(err))
    return 1
  }
  try {
    const report = await reconcile(edgeDeps(config))
    return report.products_raced > 0 ? 2 : 0
  } catch (err) {
    console.error(`reconcile failed: ${describe(err, config)}`)
    return 1
  }
}

process.exitCode = await main()
