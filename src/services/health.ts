import { sql } from 'drizzle-orm'
import type { Deps } from '../deps'
import { failureKind, StoreUnavailableError, type Store } from '../errors/store-unavailable'

export interface StoreHealth {
  up: boolean
  latencyMs: number
  /** how it failed, when down: `no answer within 2500 ms`, `unreachable`, `refused` or `error` */
  failure?: string
  /** Redis's eviction policy, when it tells it */
  maxmemoryPolicy?: string
}

export interface Health {
  stores: Record<Store, StoreHealth>
  /** Redis may evict keys (a policy other than noeviction): correctness then rests on the reconciler's repairs */
  evicting: boolean
}

const CHECK_TIMEOUT_MS = 2500

async function probe<T>(check: () => Promise<T>, more: (result: T) => Partial<StoreHealth> = () => ({})): Promise<StoreHealth> {
  const started = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DOMException('no answer in time', 'TimeoutError')), CHECK_TIMEOUT_MS)
  })
  try {
    const result = await Promise.race([check(), timeout])
    return { up: true, latencyMs: Date.now() - started, ...more(result) }
  } catch (err) {
    // How it failed, never what the store answered: /health is public.
    const kind = err instanceof StoreUnavailableError ? err.kind : failureKind(err)
    return { up: false, latencyMs: Date.now() - started, failure: kind === 'timeout' ? `no answer within ${CHECK_TIMEOUT_MS} ms` : kind }
  } finally {
    clearTimeout(timer)
  }
}

/** Checks both stores in parallel, each bounded in time, and whether Redis may evict keys. */
export async function checkHealth(deps: Pick<Deps, 'engine' | 'db'>): Promise<Health> {
  const [redis, postgres] = await Promise.all([
    probe(
      () => deps.engine.ping(),
      (pong) => (pong.maxmemoryPolicy ? { maxmemoryPolicy: pong.maxmemoryPolicy } : {}),
    ),
    probe(() => deps.db.execute(sql`select 1`)),
  ])
  const evicting = redis.maxmemoryPolicy !== undefined && redis.maxmemoryPolicy !== 'noeviction'
  return { stores: { redis, postgres }, evicting }
}
