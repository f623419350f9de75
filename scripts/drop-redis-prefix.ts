/**
 * Deletes every Redis key of one namespace (`{prefix}:…`) over Upstash REST:
 * what a closed pull request's preview leaves behind.
 *
 *   UPSTASH_REDIS_REST_URL=… UPSTASH_REDIS_REST_TOKEN=… npx tsx scripts/drop-redis-prefix.ts pr-12-my-branch
 */
import { Redis } from '@upstash/redis'
import { PREFIX_PATTERN } from '../src/engine/keys'

// The production namespace is never dropped by this script.
const PROTECTED = new Set(['fd'])

const prefix = process.argv[2] ?? ''
if (!PREFIX_PATTERN.test(prefix) || PROTECTED.has(prefix)) {
  console.error(`drop-redis-prefix: refusing prefix "${prefix}" (1-64 of A-Z a-z 0-9 _ . -, and not ${[...PROTECTED].join(', ')})`)
  process.exit(2)
}
const url = process.env.UPSTASH_REDIS_REST_URL
const token = process.env.UPSTASH_REDIS_REST_TOKEN
if (!url || !token) {
  console.error('drop-redis-prefix: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN')
  process.exit(2)
}

const redis = new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false })
let cursor = '0'
let dropped = 0
do {
  const [next, keys] = await redis.scan(cursor, { match: `{${prefix}}:*`, count: 1000 })
  if (keys.length > 0) dropped += await redis.unlink(...keys)
  cursor = String(next)
} while (cursor !== '0')
console.log(`drop-redis-prefix: ${dropped} key(s) of {${prefix}} deleted`)
