/**
 * `npm run reconcile`: one reconciler run from a shell, configured like the
 * Worker by environment variables (`npm run reconcile:dev` reads the
 * .dev.vars that `npm run dev` writes).
 */
import { edgeDeps } from '../deps'
import { ConfigError, parseConfig } from '../env'
import { reconcile } from '../services/reconcile'

try {
  const report = await reconcile(edgeDeps(parseConfig(process.env)))
  process.exitCode = report.products_raced > 0 ? 2 : 0
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err)
  process.exitCode = 1
}
