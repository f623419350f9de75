import { Hono } from 'hono'
import { AppError } from '../errors/app-error'
import type { AppEnv } from '../http/app-env'
import { route } from '../http/route'
import { storeHealthView } from '../http/views'
import { healthResponse } from '../schemas/health'
import { checkHealth } from '../services/health'

const health = route({
  operationId: 'health',
  tag: 'Health',
  summary: 'Whether Redis and Postgres answer',
  description:
    'Checks both stores in parallel, each within 2.5 s. Not rate limited. `status` is `degraded` when Redis says it may evict keys (its `maxmemory-policy` is not `noeviction`): keep eviction off.',
  access: 'public',
  limit: 'none',
  success: { status: 200, description: 'Both stores answer', schema: healthResponse },
  errors: [
    {
      code: 'SERVICE_UNAVAILABLE',
      error: 'redis unavailable',
      details: [
        { dependency: 'redis', status: 'down', latency_ms: 2500, error: 'no answer within 2500 ms' },
        { dependency: 'postgres', status: 'up', latency_ms: 4 },
      ],
    },
  ],
})

export const healthRoutes = new Hono<AppEnv>().get('/', health, async (c) => {
  const { stores, evicting } = await checkHealth(c.get('deps'))
  const down = Object.entries(stores).filter(([, s]) => !s.up)
  if (down.length > 0) {
    const details = Object.entries(stores).map(([name, s]) => ({ dependency: name, ...storeHealthView(s) }))
    throw new AppError('SERVICE_UNAVAILABLE', `${down.map(([name]) => name).join(' and ')} unavailable`, { details, retryAfter: 2 })
  }
  return health.ok(c, {
    status: evicting ? ('degraded' as const) : ('ok' as const),
    dependencies: { redis: storeHealthView(stores.redis), postgres: storeHealthView(stores.postgres) },
  })
})
