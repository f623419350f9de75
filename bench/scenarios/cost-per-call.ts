import { randomUUID } from 'node:crypto'
import { startLocalStack } from '../../dev/local-stack'
import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { DetachedTasks } from '../../src/lib/background'
import type { BenchEnv } from '../lib/env'
import { target } from '../lib/target'
import type { Profile, ScenarioResult } from '../lib/types'
import { BENCH_ADMIN_TOKEN, benchConfig } from '../peers/flash-deal'

type App = ReturnType<typeof createApp>
type Send = (app: App, user: string) => Response | Promise<Response>
type Call = { name: string; status: number; send: Send; before?: Send }

const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

/**
 * Scenario 5: what each API call costs in store requests, counted by the
 * local Upstash server (Redis commands) and the local Neon server (Postgres
 * requests), through the edge app (createApp + edgeDeps) in-process. Each
 * call runs once to warm up (scripts cached, products loaded), then is
 * counted with the rate limiter and without it, with what it runs after its
 * answer (a checkout's settle).
 */
export async function costPerCall(env: BenchEnv, _profile: Profile): Promise<ScenarioResult> {
  const db = await env.database('cost')
  const stack = await startLocalStack({ redisUrl: env.redisUrl, database: { kind: 'postgres', url: db.url }, migrate: false })
  const prefix = env.prefix('cost')
  try {
    const config = benchConfig(stack.vars, prefix)
    // Work after the answer (a checkout's settle) is the call's too: counted once it has ended.
    const tasks = new DetachedTasks()
    const scope = { background: tasks.run }
    const apps = {
      limited: createApp(() => edgeDeps(config, scope)),
      unlimited: createApp(() => ({ ...edgeDeps(config, scope), limiter: undefined })),
    }
    const ids: number[] = []
    for (let i = 0; i < 6; i++) {
      const res = await apps.limited.request(
        '/api/products',
        json('POST', { name: `Counted ${i}`, total_stock: 1000 }, { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` }),
      )
      if (res.status !== 201) throw new Error(`creating a product: ${res.status} ${await res.text()}`)
      ids.push(Number(((await res.json()) as { data: { id: string } }).data.id))
    }
    const [a, ...bulk] = ids as [number, ...number[]]
    const reserveA = (app: App, user: string) => app.request('/api/reserve', json('POST', { user_id: user, product_id: a, quantity: 1 }))
    const checkoutBody = (user: string) => ({ user_id: user, product_id: a, quantity: 1, total_amount: '1.00' })
    const calls: Call[] = [
      { name: 'reserve', status: 201, send: reserveA },
      {
        name: `bulk reserve of ${bulk.length}`,
        status: 201,
        send: (app, user) =>
          app.request('/api/reserve/bulk', json('POST', { user_id: user, items: bulk.map((id) => ({ product_id: id, quantity: 1 })) })),
      },
      { name: 'status', status: 200, send: (app) => app.request(`/api/products/${a}/status`) },
      { name: 'list reservations', status: 200, send: (app, user) => app.request(`/api/users/${user}/reservations`) },
      { name: 'cancel', status: 200, send: (app, user) => app.request(`/api/reserve/${user}/${a}`, { method: 'DELETE' }) },
      {
        name: 'reserve refused (no stock)',
        status: 409,
        send: (app, user) => app.request('/api/reserve', json('POST', { user_id: user, product_id: a, quantity: 1001 })),
      },
      {
        name: 'checkout (Idempotency-Key)',
        status: 201,
        before: reserveA,
        send: (app, user) => app.request('/api/checkout', json('POST', checkoutBody(user), { 'idempotency-key': randomUUID() })),
      },
      {
        name: 'checkout (no key)',
        status: 201,
        before: reserveA,
        send: (app, user) => app.request('/api/checkout', json('POST', checkoutBody(user))),
      },
    ]

    type Counted = { redis: number; byCommand: Record<string, number>; postgres: number }
    const count = async (app: App, call: Call, user: string): Promise<Counted> => {
      await call.before?.(app, user)
      await tasks.idle()
      stack.upstash.resetStats()
      stack.neon.resetStats()
      const res = await call.send(app, user)
      if (res.status !== call.status) throw new Error(`${call.name}: ${res.status} ${await res.text()}`)
      await tasks.idle()
      const redis = stack.upstash.stats()
      const pg = stack.neon.stats()
      return { redis: redis.commands, byCommand: redis.byCommand, postgres: pg.queries + pg.batches }
    }
    // The calls make one user's story (reserve … cancel … checkout), so each pass has its own user.
    for (const call of calls) await count(apps.limited, call, 'warm') // scripts cached, products in Redis
    const limited: Counted[] = []
    const unlimited: Counted[] = []
    for (const call of calls) limited.push(await count(apps.limited, call, 'counted'))
    for (const call of calls) unlimited.push(await count(apps.unlimited, call, 'unlimited'))
    const rows = calls.map((call, i) => ({ call: call.name, ...limited[i]!, limiter: limited[i]!.redis - unlimited[i]!.redis }))
    const of = (name: string) => rows.find((r) => r.call === name)!
    const writes = rows.filter((r) => /^(bulk|cancel|reserve refused)/.test(r.call))
    const reads = rows.filter((r) => /^(status|list)/.test(r.call))
    return {
      id: 'cost',
      title: 'Cost per call (edge app: local Upstash and Neon servers count what reaches them)',
      tables: [
        {
          title: 'store requests per call, once warm',
          columns: ['call', 'Redis commands', 'of which read limiter', 'Postgres requests', 'Redis commands by name'],
          rows: rows.map((r) => [
            r.call,
            r.redis,
            r.limiter,
            r.postgres,
            Object.entries(r.byCommand)
              .map(([k, v]) => `${k} ${v}`)
              .join(', '),
          ]),
        },
      ],
      targets: [
        target('cost.reserve.redis', 'reserve: Redis commands (write limits included)', of('reserve').redis, '==', 1),
        target('cost.reserve.pg', 'reserve: Postgres requests', of('reserve').postgres, '==', 0),
        target('cost.writes.redis', 'bulk, cancel, refused reserve: most Redis commands', Math.max(...writes.map((r) => r.redis)), '==', 1),
        target('cost.reads.redis', 'status, listing: most Redis commands (1 + read limiter)', Math.max(...reads.map((r) => r.redis)), '<=', 2),
        target(
          'cost.checkout.redis',
          'checkout: Redis commands (checkout + settle, limits included)',
          of('checkout (Idempotency-Key)').redis,
          '<=',
          2,
        ),
        target('cost.checkout.pg', 'checkout: Postgres requests', of('checkout (Idempotency-Key)').postgres, '==', 1),
      ],
      data: { rows },
    }
  } finally {
    await stack.close()
  }
}
