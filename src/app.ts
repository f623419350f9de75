import { Hono, type Context } from 'hono'
import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import type { Deps, RequestScope } from './deps'
import { notFoundOrNotAllowed, onError } from './http/error-handler'
import { type Background, waitUntilOf } from './lib/background'
import { requestLog } from './middleware/request-log'
import { checkoutRoutes } from './routes/checkout'
import { allowedMethods } from './http/allowed-methods'
import { docsRoutes } from './routes/docs'
import { healthRoutes } from './routes/health'
import { productRoutes } from './routes/products'
import { queueRoutes } from './routes/queue'
import { reservationRoutes } from './routes/reservations'
import { userRoutes } from './routes/users'
import type { AppEnv } from './http/app-env'

/** Builds the request's dependencies from the platform's env (Workers bindings, process.env …) and what it gives the request. */
export type DepsFactory = (env: AppEnv['Bindings'], scope: RequestScope) => Deps

export interface AppOptions {
  /**
   * The client's IP as the platform reports it, never from a header the
   * platform does not set itself. Default: Cloudflare's `cf-connecting-ip`.
   */
  clientIp?: (c: Context<AppEnv>) => string | undefined
}

const cloudflareIp = (c: Context<AppEnv>) => c.req.header('cf-connecting-ip')

/** The platform's waitUntil (Workers, Pages, Vercel Edge), if it gave the request one; Hono throws when it did not. */
function platformBackground(c: Context<AppEnv>): Background | undefined {
  let ctx: { waitUntil(promise: Promise<unknown>): void }
  try {
    ctx = c.executionCtx
  } catch {
    return undefined
  }
  return typeof ctx?.waitUntil === 'function' ? waitUntilOf(ctx) : undefined
}

const EXPOSED_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed']

/**
 * The whole API, independent of where it runs: the Worker, Pages Functions,
 * Vercel, Node and the tests all call this with their own way of making deps.
 */
export function createApp(makeDeps: DepsFactory, options: AppOptions = {}) {
  const app = new Hono<AppEnv>()
  app.use(requestId())
  app.use(requestLog)
  app.use(async (c, next) => {
    // A getter: only a factory that uses it asks for the platform's context (on Node, asking throws, and that costs).
    c.set(
      'deps',
      makeDeps(c.env ?? {}, {
        get background() {
          return platformBackground(c)
        },
      }),
    )
    await next()
  })
  app.use(secureHeaders())
  app.use(async (c, next) => {
    const origins = c.get('deps').config.CORS_ORIGINS
    if (origins.length === 0) return next()
    return cors({
      origin: origins,
      allowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'X-Admission-Token', 'X-Request-Id'],
      exposeHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    })(c, next)
  })
  app.use(async (c, next) => {
    c.set('clientIp', (options.clientIp ?? cloudflareIp)(c))
    await next()
  })

  // Chained, so the app's type carries every route: hc<AppType> (src/client.ts) types each call.
  const routes = app
    .route('/health', healthRoutes)
    .route('/api/products', productRoutes)
    .route('/api/products', queueRoutes)
    .route('/api/reserve', reservationRoutes)
    .route('/api/checkout', checkoutRoutes)
    .route('/api/users', userRoutes)
    .route('/api', docsRoutes)
  routes.notFound(notFoundOrNotAllowed(allowedMethods(routes)))
  routes.onError(onError)
  return routes
}

/** The API's type, for hc (src/client.ts). */
export type AppType = ReturnType<typeof createApp>
