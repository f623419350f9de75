import { env } from 'cloudflare:test'
import { afterAll } from 'vitest'
import { dropDayContract } from '../support/drop-day-contract'
import { redisInspector, upstashSend } from '../support/redis-inspector'
import { workerApi } from './worker-api'

// The limit and hoarding defenses in the real Worker module, in workerd, in a
// key namespace of their own (they count keys) that is dropped afterwards.
const vars = env as unknown as Record<string, string>
const prefix = `${vars.REDIS_PREFIX}_drop`
const redis = redisInspector(prefix, upstashSend(vars.UPSTASH_REDIS_REST_URL!, vars.UPSTASH_REDIS_REST_TOKEN!))
afterAll(async () => redis.del(await redis.keys(`{${prefix}}:*`)))

const api = workerApi({ REDIS_PREFIX: prefix })

dropDayContract(
  () => api,
  () => redis,
)
