import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A key namespace of its own, so runs and test files never collide. */
export function testPrefix(label = 't'): string {
  return `${label}_${randomBytes(5).toString('hex')}`
}

/** Every key matching a pattern: a full SCAN (one SCAN call sees only part of a busy database). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    found.push(...keys)
    cursor = next
  } while (cursor !== '0')
  return found
}

/** Deletes every key of a namespace (keys are `{prefix}:…`). Test cleanup only. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000)
      if (keys.length) await redis.unlink(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}
