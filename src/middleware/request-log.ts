import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import type { AppEnv } from '../http/app-env'

/** One JSON line per request: no tokens, no bodies. */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now()
  await next()
  const deps = c.get('deps')
  if (!deps) return // configuration failed: onError said so
  deps.log(c.res.status >= 500 ? 'error' : 'info', 'request', {
    request_id: c.get('requestId'),
    method: c.req.method,
    route: routePath(c, -1) || c.req.path,
    status: c.res.status,
    duration_ms: Date.now() - started,
    user_id: c.get('userId'),
    rate_limit: c.get('rateLimit'),
  })
})
