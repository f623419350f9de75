import { Hono } from 'hono'
import { html } from 'hono/html'
import { DOCS_CONTENT_SECURITY_POLICY, PAGE_HEADERS, SCALAR_BUNDLE } from '../../web/headers'
import type { AppEnv } from '../http/app-env'

/**
 * The API reference, to mount at /api: GET /api/docs, a readable page of the
 * OpenAPI 3.1 document next to it (/api/openapi.json, a static file that
 * `npm run openapi` writes to public/, so the Worker never carries it).
 * Scalar's standalone bundle and the script that starts it are static files
 * of this origin (public/assets, npm run build:web), so the page loads
 * nothing from elsewhere and runs no inline script.
 */
export const docsRoutes = new Hono<AppEnv>().get('/docs', (c) => {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) c.header(name, value)
  c.header('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY)
  // next to this page wherever it is mounted
  const documentUrl = c.req.path.replace(/\/docs\/?$/, '/openapi.json')
  return c.html(html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Flash Deal API reference</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
  </head>
  <body>
    <div id="app" data-url="${documentUrl}"></div>
    <noscript>The reference needs JavaScript; the document itself is <a href="${documentUrl}">${documentUrl}</a>.</noscript>
    <script src="/${SCALAR_BUNDLE}"></script>
    <script type="module" src="/assets/docs.js"></script>
  </body>
</html>
`)
})
