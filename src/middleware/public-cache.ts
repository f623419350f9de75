import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../http/app-env'

/** What of an answer belongs to its request, never kept for the next caller (a hit gets its own: request id, CORS). */
const PERSONAL_HEADERS = [
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-request-id',
  'set-cookie',
  'vary',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
]

/** The Workers Cache API's cache of this data centre; undefined where the platform has none (Node, Vercel). */
function edgeCache(): Cache | undefined {
  return (globalThis as { caches?: { default?: Cache } }).caches?.default
}

/**
 * Public reads (a product, its status) served from a cache when
 * PUBLIC_READ_CACHE_SECONDS = N > 0. A 200 answer carries `Cache-Control`
 * with s-maxage N (a CDN such as Vercel's keeps it; browsers revalidate) and
 * stale-while-revalidate N, so a CDN may answer up to 2N old while it
 * refreshes. On Workers the answer is also put in the data centre's cache
 * after it is sent, for N seconds, and a hit is answered from there before
 * the read limit or any store: no Redis command. Reserve and checkout stay
 * exact, so a stale count never sells a unit that is gone. Runs first in
 * route() (src/http/route.ts).
 */
export const publicCache = createMiddleware<AppEnv>(async (c, next) => {
  const { config, background } = c.get('deps')
  const seconds = config.PUBLIC_READ_CACHE_SECONDS
  if (seconds === 0 || c.req.method !== 'GET') return next()
  const cache = edgeCache()
  const key = new Request(c.req.url)
  const forClients = `public, max-age=0, s-maxage=${seconds}, stale-while-revalidate=${seconds}`
  const hit = await cache?.match(key)
  if (hit) return c.body(hit.body as ReadableStream, 200, { ...Object.fromEntries(hit.headers), 'cache-control': forClients })
  await next()
  if (c.res.status !== 200) return
  c.header('Cache-Control', forClients)
  if (!cache) return
  const kept = c.res.clone()
  const stored = new Response(kept.body, kept)
  for (const name of PERSONAL_HEADERS) stored.headers.delete(name)
  // Without stale-while-revalidate: this cache is never revalidated, so it must forget at s-maxage.
  stored.headers.set('cache-control', `public, s-maxage=${seconds}`)
  background(() => cache.put(key, stored))
})
