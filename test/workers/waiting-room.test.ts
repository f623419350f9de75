import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../src/entry/worker'
import { apiClient } from '../support/client'
import { redisInspector, upstashSend } from '../support/redis-inspector'
import { waitingRoomContract } from '../support/waiting-room-contract'

// The waiting room in the real Worker module, in workerd: tickets and
// admission tokens signed and checked with Web Crypto there.
const vars = env as unknown as Record<string, string>
const redis = redisInspector(vars.REDIS_PREFIX!, upstashSend(vars.UPSTASH_REDIS_REST_URL!, vars.UPSTASH_REDIS_REST_TOKEN!))

const api = apiClient((overrides) => {
  const bindings = { ...env, ...overrides }
  return async (request) => {
    const ctx = createExecutionContext()
    const res = await worker.fetch(request, bindings, ctx)
    await waitOnExecutionContext(ctx)
    return res
  }
})

waitingRoomContract(
  () => api,
  () => redis,
)
