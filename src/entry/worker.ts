import { createApp } from '../app'
import { edgeDeps } from '../deps'
import { configFrom } from '../env'
import { reconcile } from '../services/reconcile'

const app = createApp((env, scope) => edgeDeps(configFrom(env), scope))

export default {
  fetch: app.fetch,
  /** Cron (wrangler.toml [triggers]): the reconciler. */
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(reconcile(edgeDeps(configFrom(env))).then(() => undefined))
  },
} satisfies ExportedHandler<Record<string, unknown>>
