import { expect } from 'vitest'
import type { ApiClient } from './client'

/**
 * The per-user limit as both limiters (Upstash REST, ioredis) must keep it,
 * with USER_RATE_LIMIT_MAX_REQUESTS = 2: reserve and bulk by one user pass,
 * that user's checkout is the third request and gets 429 (scope user), and
 * another user still reserves. Returns the 429 answer.
 */
export async function exceedUserLimit(api: ApiClient, productId: string) {
  const reserve = (user: string) => api.call('POST', '/api/reserve', { user_id: user, product_id: productId, quantity: 1 })
  expect((await reserve('greedy')).status).toBe(201)
  expect((await api.call('POST', '/api/reserve/bulk', { user_id: 'greedy', items: [{ product_id: productId, quantity: 1 }] })).status).toBe(201)
  const third = await api.call('POST', '/api/checkout', { user_id: 'greedy', product_id: productId, quantity: 1, total_amount: 0 })
  expect(third.status).toBe(429)
  expect(third.body.details[0]).toMatchObject({ scope: 'user' })
  expect(third.headers.get('retry-after')).toBeTruthy()
  expect((await reserve('patient')).status).toBe(201)
  return third
}
