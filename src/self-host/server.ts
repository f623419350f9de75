import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { createApp } from '../app'
import { createLogger } from '../lib/log'
import { reconcile } from '../services/reconcile'
import { selfHostDeps, type SelfHost, type SelfHostConfig } from './deps'
import { redactUrl } from '../lib/redact-url'
import { checkStores, causeOf, StartupError } from './startup'
import { withStaticPages } from './static-pages'

// In-flight requests get this long to finish after a shutdown signal.
const SHUTDOWN_GRACE_MS = 10_000
const RECONCILE_EVERY_MS = 60_000

export interface ServerRole {
  /** runs the reconciler every minute (one process of a cluster does) */
  reconciler: boolean
  /** the node:cluster worker id, when in a cluster */
  worker?: number
}

/** Prints why the process cannot start and exits 1. */
function failStartup(err: unknown): never {
  console.error(err instanceof StartupError ? err.message : `Cannot start: ${causeOf(err)}`)
  process.exit(1)
}

/** This process's self-hosted deps once both stores have passed the start-up checks; else it exits 1 saying why. */
export async function checkedSelfHost(config: SelfHostConfig): Promise<SelfHost> {
  const host = selfHostDeps(config)
  try {
    await checkStores(host, config)
  } catch (err) {
    await host.close().catch(() => {})
    failStartup(err)
  }
  return host
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
}

/**
 * One server process: checks both stores, then serves the app on PORT with
 * the self-hosted deps, runs the reconciler if its role says so, and on
 * SIGTERM/SIGINT stops accepting, lets in-flight requests finish, closes
 * the stores and exits 0.
 */
export async function runServer(config: SelfHostConfig, role: ServerRole): Promise<void> {
  const log = createLogger(config.LOG_LEVEL)
  const host = await checkedSelfHost(config)

  // The peer's address: put a proxy in front and this is the proxy's.
  const app = createApp(host.deps, { clientIp: (c) => getConnInfo(c).remote.address })
  const server = serve({ fetch: withStaticPages(app.fetch), port: config.PORT }) as Server
  try {
    await listen(server)
  } catch (err) {
    await host.close().catch(() => {})
    failStartup(new StartupError([`PORT=${config.PORT} failed at "listen": ${causeOf(err)}`]))
  }
  log('info', 'listening', {
    url: `http://127.0.0.1:${config.PORT}`,
    redis: redactUrl(config.REDIS_URL),
    postgres: host.postgres,
    reconciler: role.reconciler,
    ...(role.worker === undefined ? {} : { worker: role.worker, pid: process.pid }),
  })

  let reconciling: Promise<unknown> = Promise.resolve()
  const reconciler = role.reconciler
    ? setInterval(() => {
        reconciling = reconcile(host.deps())
          .then((report) => log('debug', 'reconciled', { ...report }))
          .catch((err) => log('error', 'reconcile_failed', { message: causeOf(err) }))
      }, RECONCILE_EVERY_MS)
    : undefined

  let stopping = false
  async function shutdown(signal: string) {
    if (stopping) return
    stopping = true
    log('info', 'shutting_down', { signal })
    clearInterval(reconciler)
    const force = setTimeout(() => {
      log('warn', 'shutdown_forced', { after_ms: SHUTDOWN_GRACE_MS })
      server.closeAllConnections()
    }, SHUTDOWN_GRACE_MS).unref()
    // close() stops accepting and resolves once every connection has ended; a
    // keep-alive connection goes idle after its last answer and is closed then.
    const idle = setInterval(() => server.closeIdleConnections(), 100)
    await new Promise<void>((resolve) => server.close(() => resolve()))
    clearInterval(idle)
    clearTimeout(force)
    await reconciling
    await host.close()
    log('info', 'stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}
