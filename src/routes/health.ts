import { Hono } from 'hono'
import { describeRoute } from 'hono-openapi'
import { failure, ok } from '../errors/envelope'
import { operation } from '../openapi/operation'
import { success } from '../openapi/responses'
import { healthResponse } from '../schemas/health'
import { checkHealth } from '../services/health'
import type { AppEnv } from '../types'

const docs = operation({
  operationId: 'health',
  tag: 'Health',
  summary: 'Whether Redis and Postgres answer',
  description: 'Checks both stores in parallel, each within 2.5 s. Not rate limited.',
  access: 'public',
  rateLimit: 'none',
  responses: { 200: success('Both stores answer', healthResponse) },
  errors: {
    503: [
      {
        code: 'SERVICE_UNAVAILABLE',
        error: 'redis unavailable',
        details: [
          { dependency: 'redis', status: 'down', latency_ms: 2500, error: 'no answer within 2500 ms' },
          { dependency: 'postgres', status: 'up', latency_ms: 4 },
        ],
      },
    ],
  },
})

export const healthRoutes = new Hono<AppEnv>().get('/', describeRoute(docs), async (c) => {
  const dependencies = await checkHealth(c.get('deps'))
  const down = Object.entries(dependencies)
    .filter(([, state]) => state.status === 'down')
    .map(([name]) => name)
  if (down.length === 0) return c.json(ok({ status: 'ok', dependencies }))
  const details = Object.entries(dependencies).map(([name, state]) => ({ dependency: name, ...state }))
  return c.json(failure('SERVICE_UNAVAILABLE', `${down.join(' and ')} unavailable`, details), 503, {
    'Retry-After': '2',
  })
})
