import { sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import { failureKind, StoreUnavailableError, type Store } from '../errors/store-unavailable'

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
    timer = setTimeout(() => reject(new DOMException('no answer in time', 'TimeoutError')), CHECK_TIMEOUT_MS)
  })
  try {
    await Promise.race([check(), timeout])
    return { status: 'up', latency_ms: Date.now() - started }
  } catch (err) {
    // How it failed, never what the store answered: /health is public.
    const kind = err instanceof StoreUnavailableError ? err.kind : failureKind(err)
    return { status: 'down', latency_ms: Date.now() - started, error: kind === 'timeout' ? `no answer within ${CHECK_TIMEOUT_MS} ms` : kind }
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
