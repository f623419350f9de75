import { describe, expect, it } from 'vitest'
import { workerApi } from './worker-api'

// PUBLIC_READ_CACHE_SECONDS in workerd, with the Workers Cache API. A hit is
// proven to cost no Redis command by answering it with Redis out of reach:
// anything but the cache would answer 503.
const SECONDS = 2
const cached = workerApi({ PUBLIC_READ_CACHE_SECONDS: String(SECONDS) })
const cachedNoRedis = workerApi({ PUBLIC_READ_CACHE_SECONDS: String(SECONDS), UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' })
const exact = workerApi()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('cached public reads', () => {
  it('status and product answers: Cache-Control, then hits with no Redis command until s-maxage; reserve stays exact', async () => {
    const id = (await exact.call('POST', '/api/products', { name: 'Cached', total_stock: 5 })).body.data.id
    const statusPath = `/api/products/${id}/status`
    const first = await cached.call('GET', statusPath)
    expect(first.status).toBe(200)
    expect(first.headers.get('cache-control')).toBe(`public, max-age=0, s-maxage=${SECONDS}, stale-while-revalidate=${SECONDS}`)
    expect((await cached.call('GET', `/api/products/${id}`)).status).toBe(200)

    // A reserve is exact and uncached; the cached count is now one behind, as the documentation says it may be.
    const held = await cached.call('POST', '/api/reserve', { user_id: 'cache-shopper', product_id: id, quantity: 1 })
    expect(held.status).toBe(201)
    expect(held.headers.get('cache-control')).toBeNull()
    expect((await exact.call('GET', statusPath)).body.data).toMatchObject({ reserved_stock: 1, available_stock: 4 })

    const hit = await cachedNoRedis.call('GET', statusPath)
    expect(hit.status).toBe(200)
    expect(hit.body).toEqual(first.body)
    // The caller's own headers are not the first caller's: a request id of its own, no rate headers kept.
    expect(hit.headers.get('x-request-id')).toBeTruthy()
    expect(hit.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'))
    expect(hit.headers.get('ratelimit-remaining')).toBeNull()
    expect(hit.headers.get('x-content-type-options')).toBe('nosniff')
    const noPostgres = workerApi({ PUBLIC_READ_CACHE_SECONDS: String(SECONDS), DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' })
    const productHit = await noPostgres.call('GET', `/api/products/${id}`)
    expect(productHit.status).toBe(200)
    expect(productHit.body.data.id).toBe(id)
    // the same read at a URL nothing cached goes to Postgres, which this configuration cannot reach
    expect((await noPostgres.call('GET', `/api/products/${id}?miss=1`)).status).toBe(503)

    // Past s-maxage the cache has nothing: the read goes to Redis, which is out of reach here.
    await sleep(SECONDS * 1000 + 500)
    expect((await cachedNoRedis.call('GET', statusPath)).status).toBe(503)
    const fresh = await cached.call('GET', statusPath)
    expect(fresh.body.data).toMatchObject({ reserved_stock: 1, available_stock: 4 })
  })

  it("a hit carries the CORS headers of its own request's origin, not those of the request that filled the cache", async () => {
    const origins = { CORS_ORIGINS: 'https://a.example,https://b.example' }
    const id = (await exact.call('POST', '/api/products', { name: 'Cached across origins', total_stock: 2 })).body.data.id
    const path = `/api/products/${id}/status`
    const first = await workerApi({ ...origins, PUBLIC_READ_CACHE_SECONDS: String(SECONDS) }).call('GET', path, undefined, {
      origin: 'https://a.example',
    })
    expect(first.headers.get('access-control-allow-origin')).toBe('https://a.example')
    const hit = await workerApi({ ...origins, PUBLIC_READ_CACHE_SECONDS: String(SECONDS), UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' }).call(
      'GET',
      path,
      undefined,
      { origin: 'https://b.example' },
    )
    expect(hit.status).toBe(200)
    expect(hit.headers.get('access-control-allow-origin')).toBe('https://b.example')
  })

  it('refusals and errors are never cached; the default (0) caches nothing', async () => {
    const missing = await cached.call('GET', '/api/products/999999/status')
    expect(missing.status).toBe(404)
    expect(missing.headers.get('cache-control')).toBeNull()
    const id = (await exact.call('POST', '/api/products', { name: 'Exact', total_stock: 2 })).body.data.id
    const plain = await exact.call('GET', `/api/products/${id}/status`)
    expect(plain.status).toBe(200)
    expect(plain.headers.get('cache-control')).toBeNull()
    expect((await workerApi({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' }).call('GET', `/api/products/${id}/status`)).status).toBe(503)
  })
})
