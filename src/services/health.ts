import { sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import type { Store } from '../errors/app-error'

export interface DependencyState {
  status: 'up' | 'down'
  latency_ms: number
  error?: string
}

const CHECK_TIMEOUT_MS = 2500

async function probe(check: () => Promise<unknown>): Promise<DependencyState> {
  const started = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)
  })
  try {
    await Promise.race([check(), timeout])
    return { status: 'up', latency_ms: Date.now() - started }
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err
    return {
      status: 'down',
      latency_ms: Date.now() - started,
      error: cause instanceof Error ? cause.message.slice(0, 200) : 'unreachable',
    }
  } finally {
    clearTimeout(timer)
  }
}

/** Checks both stores in parallel, each bounded in time. */
export async function checkHealth(deps: Pick<Deps, 'engine' | 'db'>): Promise<Record<Store, DependencyState>> {
  const [redis, postgres] = await Promise.all([
    probe(() => deps.engine.ping()),
    probe(() => deps.db.execute(sql`select 1`)),
  ])
  return { redis, postgres }
}
