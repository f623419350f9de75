import { Scalar } from '@scalar/hono-api-reference'
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import document from '../openapi/document.json'

/**
 * The API reference, to mount at /api:
 *   GET /api/openapi.json  the OpenAPI 3.1 document, made from the route
 *                          declarations at build time (npm run openapi), with
 *                          this server as its server
 *   GET /api/docs          a readable reference of it (Scalar)
 */
export const docsRoutes = new Hono<AppEnv>()
  .get('/openapi.json', (c) => {
    const origin = new URL(c.req.url).origin
    return c.json({ ...document, servers: [{ url: origin, description: 'The server this document came from' }] })
  })
  .get(
    '/docs',
    Scalar<AppEnv>((c) => ({
      // next to this page wherever it is mounted
      url: c.req.path.replace(/\/docs\/?$/, '/openapi.json'),
      pageTitle: 'Flash Deal API reference',
    })),
  )
