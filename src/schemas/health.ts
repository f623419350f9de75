import * as z from 'zod'

// Responses of GET /health (documentation only: what src/services/health.ts returns).

export const dependencyState = z
  .object({
    status: z.enum(['up', 'down']),
    latency_ms: z.number().int(),
    error: z
      .string()
      .optional()
      .meta({ description: 'How the store failed (only when down): `no answer within 2500 ms`, `unreachable`, `refused` or `error`' }),
  })
  .meta({ id: 'DependencyState' })

export const healthResponse = z
  .object({
    status: z.literal('ok'),
    dependencies: z.object({ redis: dependencyState, postgres: dependencyState }),
  })
  .meta({
    id: 'Health',
    examples: [{ status: 'ok', dependencies: { redis: { status: 'up', latency_ms: 2 }, postgres: { status: 'up', latency_ms: 5 } } }],
  })
