import { Hono, type Handler } from 'hono'
import { createApp } from '../app'
import { edgeDeps } from '../deps'
import { configFrom } from '../env'
import { notFound } from '../http/error-handler'
import type { AppEnv } from '../http/app-env'

/**
 * One route group as a Pages Function: requests under `path` go to the app
 * of createApp (so every middleware, notFound and onError are the app's own),
 * anything else is answered 404 here.
 */
export function pagesApp(path: `/${string}`) {
  const app = createApp((env, scope) => edgeDeps(configFrom(stableEnv(env)), scope))
  const forward: Handler<AppEnv> = (c) => app.fetch(c.req.raw, c.env, c.executionCtx)
  return new Hono<AppEnv>().all(path, forward).all(`${path}/*`, forward).notFound(notFound)
}

/**
 * hono/cloudflare-pages hands the app a fresh `{ ...env, eventContext }` per
 * request; the Pages runtime's own env object is the same for the whole
 * isolate, so configuration keyed on it is parsed once, as on Workers.
 */
function stableEnv(env: AppEnv['Bindings']): object {
  const eventContext = env.eventContext as { env?: object } | undefined
  return eventContext?.env ?? env
}
