import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { getPath } from 'hono/utils/url'
import { PAGE_HEADERS, STATIC_FILES } from '../../web/headers'

/** What a Hono app's fetch takes; on Node, `env` carries the connection (getConnInfo reads it). */
type Fetch = (request: Request, env?: Record<string, unknown>) => Response | Promise<Response>

/**
 * The storefront and operator pages (public/, built by `npm run build:web`)
 * in front of the API on Node, as Workers assets, Pages and Vercel serve
 * them on the edge: the listed files with their security headers, and
 * every other request — or a file missing from `root` — to the app.
 * `root` is relative to the working directory (`npm start` runs in the project).
 */
export function withStaticPages(appFetch: Fetch, root = 'public'): Fetch {
  const site = new Hono<{ Bindings: Record<string, unknown> }>()
  for (const [path, file] of Object.entries(STATIC_FILES)) {
    site.get(
      path,
      async (c, next) => {
        for (const [name, value] of Object.entries(PAGE_HEADERS)) c.header(name, value)
        await next()
      },
      serveStatic({ root, path: file }),
    )
  }
  site.notFound((c) => appFetch(c.req.raw, c.env))
  // The API's requests skip the pages' router altogether.
  return (request, env) => (Object.hasOwn(STATIC_FILES, getPath(request)) ? site.fetch(request, env) : appFetch(request, env))
}
