import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test'
import { afterEach, expect, it, vi } from 'vitest'
import worker from '../../src/entry/worker'

afterEach(() => vi.restoreAllMocks())

it('the cron trigger runs the reconciler and logs one structured line', async () => {
  const bindings = { ...env, REDIS_TTL: '1', LOG_LEVEL: 'info' }
  const call = async (path: string, body: unknown) => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${env.ADMIN_TOKEN}` }
    const init = { method: 'POST', headers, body: JSON.stringify(body) }
    const ctx = createExecutionContext()
    const res = await worker.fetch(new Request(`http://flash.test${path}`, init), bindings, ctx)
    await waitOnExecutionContext(ctx)
    return res.json<any>()
  }
  const product = await call('/api/products', { name: 'Cron', total_stock: 4 })
  await call('/api/reserve', { user_id: 'cron-user', product_id: product.data.id, quantity: 2 })
  await new Promise((r) => setTimeout(r, 1200))

  const lines: string[] = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
  const ctx = createExecutionContext()
  worker.scheduled(createScheduledController({ cron: '* * * * *' }), bindings, ctx)
  await waitOnExecutionContext(ctx)

  const events = lines.map((l) => JSON.parse(l)).filter((e) => e.event === 'reconcile')
  expect(events).toHaveLength(1)
  expect(events[0]).toMatchObject({ level: 'info', pending_given_back: 0 })
  expect(events[0].products_checked).toBeGreaterThanOrEqual(1)
  expect(events[0].holds_purged).toBeGreaterThanOrEqual(1) // the lapsed hold, swept by the cron
})
