import * as z from 'zod'

// Responses of GET /health (documentation only: what src/routes/health.ts answers).

export const dependencyState = z
  .object({
    status: z.enum(['up', 'down']),
    latency_ms: z.number().int(),
    error: z
      .string()
      .optional()
      .meta({ description: 'How the store failed (only when down): `no answer within 2500 ms`, `unreachable`, `refused` or `error`' }),
    maxmemory_policy: z
      .string()
      .optional()
      .meta({ description: "Redis's eviction policy, when it tells it; anything but `noeviction` makes the status `degraded`" }),
  })
  .meta({ id: 'DependencyState' })

export const healthResponse = z
  .object({
    status: z.enum(['ok', 'degraded']).meta({ description: '`degraded` when Redis may evict keys (keep `maxmemory-policy noeviction`)' }),
    dependencies: z.object({ redis: dependencyState, postgres: dependencyState }),
  })
  .meta({
    id: 'Health',
    examples: [{ status: 'ok', dependencies: { redis: { status: 'up', latency_ms: 2 }, postgres: { status: 'up', latency_ms: 5 } } }],
  })
