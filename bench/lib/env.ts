import { randomBytes } from 'node:crypto'
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres'
import { dropPrefix, REDIS_URL } from '../../test/support/redis'

/**
 * What a run owns: Redis namespaces of its own (never FLUSHALL: the Redis is
 * shared) and fresh Postgres databases, all removed by cleanup().
 */
export interface BenchEnv {
  redisUrl: string
  runId: string
  /** a new namespace, e.g. `bench_3f2a1c_engine` */
  prefix(label: string): string
  /** a fresh, migrated database of this run */
  database(label: string): Promise<TestDatabase>
  /** drops one namespace now (big scenarios free their memory early) */
  drop(prefix: string): Promise<void>
  cleanup(): Promise<void>
}

export function benchEnv(): BenchEnv {
  const runId = randomBytes(3).toString('hex')
  const prefixes = new Set<string>()
  const databases: TestDatabase[] = []
  return {
    redisUrl: REDIS_URL,
    runId,
    prefix(label) {
      const p = `bench_${runId}_${label}`
      prefixes.add(p)
      return p
    },
    async database(label) {
      const db = await createTestDatabase(`bench_${label}`)
      databases.push(db)
      return db
    },
    async drop(prefix) {
      await dropPrefix(prefix)
      prefixes.delete(prefix)
    },
    async cleanup() {
      for (const p of prefixes) await dropPrefix(p).catch((err) => console.error(`cleanup of ${p}: ${err}`))
      for (const db of databases) await db.drop().catch((err) => console.error(`cleanup of ${db.name}: ${err}`))
      prefixes.clear()
      databases.length = 0
    },
  }
}
