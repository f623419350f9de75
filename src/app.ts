import { Hono } from 'hono'
import { requestId } from 'hono/request-id'
import type { Deps } from './deps'
import { notFound, onError } from './errors/handler'
import { checkoutRoutes } from './routes/checkout'
import { healthRoutes } from './routes/health'
import { productRoutes } from './routes/products'
import { reservationRoutes } from './routes/reservations'
import { userRoutes } from './routes/users'
import type { AppEnv } from './types'

/** Builds the request's dependencies from the platform's env (Workers bindings, process.env …). */
export type DepsFactory = (env: AppEnv['Bindings']) => Deps

/**
 * The whole API, independent of where it runs: the Worker, Pages Functions,
 * Vercel and the tests all call this with their own way of making deps.
 */
export function createApp(makeDeps: DepsFactory) {
  const app = new Hono<AppEnv>()
  app.use(requestId())
  app.use(async (c, next) => {
    c.set('deps', makeDeps(c.env ?? {}))
    await next()
  })
  app.route('/health', healthRoutes)
  app.route('/api/products', productRoutes)
  app.route('/api/reserve', reservationRoutes)
  app.route('/api/checkout', checkoutRoutes)
  app.route('/api/users', userRoutes)
  app.notFound(notFound)
  app.onError(onError)
  return app
}

export type App = ReturnType<typeof createApp>
