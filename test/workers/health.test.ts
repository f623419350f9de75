import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../src/entry/worker'

async function call(path: string, init?: RequestInit, bindings: Record<string, unknown> = env) {
  const ctx = createExecutionContext()
  const res = await worker.fetch(new Request(`http://flash.test${path}`, init), bindings, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

describe('the Worker in workerd', () => {
  it('answers /health 200 with both stores up', async () => {
    const res = await exports.default.fetch('http://flash.test/health')
    expect(res.status).toBe(200)
    const body = await res.json<any>()
    expect(body.success).toBe(true)
    expect(body.data.dependencies.redis.status).toBe('up')
    expect(body.data.dependencies.postgres.status).toBe('up')
    expect(res.headers.get('x-request-id')).toBeTruthy()
  })

  it('answers 503 naming Redis when the Upstash endpoint is down', async () => {
    const res = await call('/health', undefined, { ...env, UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBeTruthy()
    const body = await res.json<any>()
    expect(body).toMatchObject({ success: false, code: 'SERVICE_UNAVAILABLE' })
    expect(body.error).toMatch(/redis/)
    expect(body.error).not.toMatch(/postgres/)
  })

  it('answers 503 naming Postgres when the Neon endpoint is down', async () => {
    const res = await call('/health', undefined, {
      ...env,
      DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/x',
      NEON_FETCH_ENDPOINT: 'http://127.0.0.1:1/sql',
    })
    expect(res.status).toBe(503)
    const body = await res.json<any>()
    expect(body.error).toMatch(/postgres/)
    expect(body.details).toContainEqual(expect.objectContaining({ dependency: 'redis', status: 'up' }))
  })

  it('answers unknown routes with 404 in the envelope', async () => {
    const res = await call('/nope')
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ success: false, code: 'NOT_FOUND' })
  })

  it('names the bad variable when configuration is invalid', async () => {
    const res = await call('/health', undefined, { ...env, REDIS_TTL: 'ten' })
    expect(res.status).toBe(500)
    const body = await res.json<any>()
    expect(body.code).toBe('CONFIGURATION_ERROR')
    expect(body.error).toMatch(/REDIS_TTL/)
  })
})
