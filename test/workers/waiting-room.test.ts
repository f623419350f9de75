import { env } from 'cloudflare:test'
import { redisInspector, upstashSend } from '../support/redis-inspector'
import { waitingRoomContract } from '../support/waiting-room-contract'
import { workerApi } from './worker-api'

// The waiting room in the real Worker module, in workerd: tickets and
// admission tokens signed and checked with Web Crypto there.
const vars = env as unknown as Record<string, string>
const redis = redisInspector(vars.REDIS_PREFIX!, upstashSend(vars.UPSTASH_REDIS_REST_URL!, vars.UPSTASH_REDIS_REST_TOKEN!))
const api = workerApi()

waitingRoomContract(
  () => api,
  () => redis,
)
