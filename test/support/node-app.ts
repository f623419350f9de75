import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { parseConfig, type Config } from '../../src/env'
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../dev/local-stack'
import { apiClient, TEST_ADMIN_TOKEN, TEST_LIMITS, TEST_QUEUE_SECRET, type ApiClient } from './client'
import { createTestDatabase, type TestDatabase } from './postgres'
import { dropPrefix, REDIS_URL, testPrefix } from './redis'

export interface NodeHarness {
  api: ApiClient
  config: Config
  stack: LocalStack
  db: TestDatabase
  prefix: string
  close(): Promise<void>
}

/**
 * The app in Node with its edge clients (@upstash/redis over REST, the Neon
 * HTTP driver) against the local services over the real Redis and a fresh
 * Postgres database, in a Redis namespace of its own. `stackOptions` can put
 * the local servers far away (rttMs) and report each request they answer.
 */
export async function startNodeHarness(label: string, stackOptions: Pick<LocalStackOptions, 'rttMs' | 'onRequest'> = {}): Promise<NodeHarness> {
  const db = await createTestDatabase(label)
  const stack = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db.url }, migrate: false, ...stackOptions })
  const prefix = testPrefix(label)
  const base = {
    ...stack.vars,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    QUEUE_SECRET: TEST_QUEUE_SECRET,
    ...TEST_LIMITS,
  }
  const api = apiClient((overrides) => {
    const config = parseConfig({ ...base, ...overrides })
    const app = createApp(() => edgeDeps(config))
    return async (request) => app.fetch(request)
  })
  return {
    api,
    config: parseConfig(base),
    stack,
    db,
    prefix,
    close: async () => {
      await stack.close()
      await dropPrefix(prefix)
      await db.drop()
    },
  }
}
