import { Hono } from 'hono'
import { failure, ok } from '../errors/envelope'
import { checkHealth } from '../services/health'
import type { AppEnv } from '../types'

export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const dependencies = await checkHealth(c.var.deps)
  const down = Object.entries(dependencies)
    .filter(([, state]) => state.status === 'down')
    .map(([name]) => name)
  if (down.length === 0) return c.json(ok({ status: 'ok', dependencies }))
  const details = Object.entries(dependencies).map(([name, state]) => ({ dependency: name, ...state }))
  return c.json(failure('SERVICE_UNAVAILABLE', `${down.join(' and ')} unavailable`, details), 503, {
    'Retry-After': '2',
  })
})
