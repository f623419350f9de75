import { spawn } from 'node:child_process'
import { afterAll, expect, it } from 'vitest'
import { startLocalStack, type LocalStack } from '../../dev/local-stack'
import { ensureRedis, freePort, type RedisHandle } from '../../dev/redis'
import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { parseConfig } from '../../src/env'
import { createTestDatabase, type TestDatabase } from '../support/postgres'

let redis: RedisHandle | undefined
let stack: LocalStack | undefined
let db: TestDatabase | undefined
let restarted: ReturnType<typeof spawn> | undefined
afterAll(async () => {
  restarted?.kill('SIGTERM')
  await stack?.close()
  await redis?.stop()
  await db?.drop()
})

it('starts redis-server when REDIS_URL is unset and nothing answers at the default; /health says 503 naming Redis while it is down and recovers', {
  timeout: 60_000,
}, async () => {
  const closedPort = await freePort()
  redis = await ensureRedis(undefined, `redis://127.0.0.1:${closedPort}`)
  expect(redis.started).toBe(true)
  expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/)

  db = await createTestDatabase('health')
  stack = await startLocalStack({ redisUrl: redis.url, database: { kind: 'postgres', url: db.url }, migrate: false })
  const config = parseConfig({ ...stack.vars, LOG_LEVEL: 'silent' })
  const app = createApp(() => edgeDeps(config))
  const health = async () => {
    const res = await app.request('/health')
    return { status: res.status, body: (await res.json()) as any, retryAfter: res.headers.get('retry-after') }
  }

  expect((await health()).status).toBe(200)

  await redis.stop()
  const started = Date.now()
  const down = await health()
  expect(Date.now() - started).toBeLessThan(3000) // an answer, never a hang
  expect(down.status).toBe(503)
  expect(down.retryAfter).toBeTruthy()
  expect(down.body).toMatchObject({ success: false, code: 'SERVICE_UNAVAILABLE', error: 'redis unavailable' })
  expect(down.body.details).toContainEqual(expect.objectContaining({ dependency: 'postgres', status: 'up' }))

  // Redis comes back on the same port: the same running services recover by themselves.
  const port = new URL(redis.url).port
  restarted = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  let recovered = 0
  for (let i = 0; i < 40 && recovered !== 200; i++) {
    await new Promise((r) => setTimeout(r, 250))
    recovered = (await health()).status
  }
  expect(recovered).toBe(200)
})
