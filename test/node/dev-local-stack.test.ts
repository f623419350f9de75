import { neon, neonConfig, NeonDbError } from '@neondatabase/serverless'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalStack, type LocalStack } from '../../dev/local-stack'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { REDIS_URL } from '../support/redis'

const RTT_MS = 120
let db: TestDatabase
let stack: LocalStack
let other: LocalStack

beforeAll(async () => {
  db = await createTestDatabase('stack')
  stack = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db.url }, migrate: false, rttMs: RTT_MS })
  other = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db.url }, migrate: false })
})

afterAll(async () => {
  await stack?.close()
  await other?.close()
  await db?.drop()
})

describe('the local stack', () => {
  it('hands out a random Neon password that its server requires', async () => {
    const password = new URL(stack.vars.DATABASE_URL).password
    expect(password.length).toBeGreaterThanOrEqual(24)
    expect(new URL(other.vars.DATABASE_URL).password).not.toBe(password)

    neonConfig.fetchEndpoint = other.vars.NEON_FETCH_ENDPOINT
    expect(await neon(other.vars.DATABASE_URL)`SELECT 1 AS ok`).toEqual([{ ok: 1 }])
    // The other stack's password, against this server: refused.
    const wrong = new URL(other.vars.DATABASE_URL)
    wrong.password = password
    await expect(neon(wrong.toString())`SELECT 1`).rejects.toThrow(NeonDbError)
  })

  it('delays each answer of both servers by rttMs, with the production clients unchanged', async () => {
    const redis = new Redis({
      url: stack.vars.UPSTASH_REDIS_REST_URL,
      token: stack.vars.UPSTASH_REDIS_REST_TOKEN,
      enableTelemetry: false,
      enableAutoPipelining: false,
    })
    neonConfig.fetchEndpoint = stack.vars.NEON_FETCH_ENDPOINT
    const sql = neon(stack.vars.DATABASE_URL)
    const timed = async (call: () => Promise<unknown>) => {
      const started = performance.now()
      await call()
      return performance.now() - started
    }
    expect(await timed(() => redis.ping())).toBeGreaterThanOrEqual(RTT_MS)
    expect(await timed(() => sql`SELECT 1`)).toBeGreaterThanOrEqual(RTT_MS)
    // Without rttMs, no such delay.
    const fast = new Redis({
      url: other.vars.UPSTASH_REDIS_REST_URL,
      token: other.vars.UPSTASH_REDIS_REST_TOKEN,
      enableTelemetry: false,
      enableAutoPipelining: false,
    })
    await fast.ping()
    expect(await timed(() => fast.ping())).toBeLessThan(RTT_MS)
  })
})
