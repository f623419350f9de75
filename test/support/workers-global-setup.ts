import type { TestProject } from 'vitest/node'
import { startLocalStack } from '../../dev/local-stack'
import { TEST_ADMIN_TOKEN, TEST_LIMITS, TEST_QUEUE_SECRET } from './client'
import { createTestDatabase } from './postgres'
import { dropPrefix, REDIS_URL, testPrefix } from './redis'

/**
 * Starts the local Upstash- and Neon-compatible services over the machine's
 * Redis and a fresh Postgres database for the workerd suite, and hands their
 * addresses to the Worker as bindings; drops its Redis namespace at the end.
 */
export default async function setup(project: TestProject) {
  // Nothing to start when the run has no workerd project (npm run test:unit, a --project node run).
  if (!project.vitest.projects.some((p) => p.name === 'workers')) return
  const db = await createTestDatabase('workers')
  const stack = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db.url }, migrate: false })
  const prefix = testPrefix('w')
  project.provide('workerVars', {
    ...stack.vars,
    REDIS_PREFIX: prefix,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    QUEUE_SECRET: TEST_QUEUE_SECRET,
    LOG_LEVEL: 'warn',
    ...TEST_LIMITS,
  })
  project.provide('upstashStatsUrl', `${stack.vars.UPSTASH_REDIS_REST_URL}/__local/stats`)
  return async () => {
    await stack.close()
    await dropPrefix(prefix)
    await db.drop()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerVars: Record<string, string>
    upstashStatsUrl: string
  }
}
