import { Scalar } from '@scalar/hono-api-reference'
import { Hono } from 'hono'
import type { OpenAPIV3_1 } from 'openapi-types'
import { openApiDocument } from '../openapi/document'
import type { AppEnv } from '../types'

/**
 * The API reference of `app`, to mount at /api:
 *   GET /api/openapi.json  the OpenAPI 3.1 document (made once per isolate)
 *   GET /api/docs          a readable reference of it (Scalar; its script comes from a CDN)
 */
export function createDocsRoutes(app: Hono<any, any, any>) {
  let document: Promise<OpenAPIV3_1.Document> | undefined
  const load = () =>
    (document ??= openApiDocument(app).catch((err: unknown) => {
      document = undefined // try again on the next request
      throw err
    }))

  return new Hono<AppEnv>()
    .get('/openapi.json', async (c) => c.json(await load()))
    .get(
      '/docs',
      Scalar<AppEnv>((c) => ({
        // next to this page wherever it is mounted
        url: c.req.path.replace(/\/docs\/?$/, '/openapi.json'),
        pageTitle: 'Flash Deal API reference',
      })),
    )
}
