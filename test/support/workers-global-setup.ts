import type { TestProject } from 'vitest/node'
import { startLocalStack } from '../../dev/local-stack'
import { TEST_ADMIN_TOKEN, TEST_LIMITS } from './client'
import { createTestDatabase } from './postgres'
import { REDIS_URL, testPrefix } from './redis'

/**
 * Starts the local Upstash- and Neon-compatible services over the machine's
 * Redis and a fresh Postgres database for the workerd suite, and hands their
 * addresses to the Worker as bindings.
 */
export default async function setup(project: TestProject) {
  const db = await createTestDatabase('workers')
  const stack = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db.url }, migrate: false })
  project.provide('workerVars', { ...stack.vars, REDIS_PREFIX: testPrefix('w'), ADMIN_TOKEN: TEST_ADMIN_TOKEN, LOG_LEVEL: 'warn', ...TEST_LIMITS })
  project.provide('upstashStatsUrl', `${stack.vars.UPSTASH_REDIS_REST_URL}/__local/stats`)
  return async () => {
    await stack.close()
    await db.drop()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerVars: Record<string, string>
    upstashStatsUrl: string
  }
}
