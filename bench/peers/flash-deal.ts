import { getConnInfo } from '@hono/node-server/conninfo'
import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { parseConfig, type Config } from '../../src/env'
import { selfHostDeps, type SelfHost } from '../../src/self-host/deps'
import type { StoreVars } from '../../dev/local-stack'
import { closeServer, serveFetch, type Started } from './server'

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789'

export interface FlashDealOptions {
  mode: 'self-host' | 'edge'
  /** the local Upstash and Neon servers (startLocalStack) */
  vars: StoreVars
  prefix: string
  redisUrl: string
  /**
   * The shipped limits (RATE_LIMIT_*, USER_RATE_LIMIT_*, MAX_HELD_PER_ADDRESS
   * defaults) and the client address from `cf-connecting-ip`, as on
   * Cloudflare, so one process can serve many clients; otherwise limits too
   * high to bite and the address of the socket (all load is from 127.0.0.1).
   */
  shipped?: boolean
}

/** Request logs off (one JSON line per request would be measured too), products writable with the bench's token. */
const BENCH_BASE = { LOG_LEVEL: 'silent', ADMIN_TOKEN: BENCH_ADMIN_TOKEN }

/** Limits too high to bite in a load run, where every request comes from one address. */
export const UNLIMITED = { RATE_LIMIT_MAX_REQUESTS: '1000000', USER_RATE_LIMIT_MAX_REQUESTS: '1000000', MAX_HELD_PER_ADDRESS: '0' }

/** The app's configuration for a load run: BENCH_BASE and UNLIMITED, holds of 10 min. */
export function benchConfig(vars: StoreVars, prefix: string, extra: Record<string, string> = {}): Config {
  return parseConfig({ ...vars, REDIS_PREFIX: prefix, ...BENCH_BASE, ...UNLIMITED, ...extra })
}

/** The configuration as shipped (every limit at its default), logs off, products writable with the bench's token. */
export function shippedConfig(vars: StoreVars, prefix: string): Config {
  return parseConfig({ ...vars, REDIS_PREFIX: prefix, ...BENCH_BASE })
}

/**
 * Our app on @hono/node-server. `self-host` is built as src/entry/node.ts
 * builds it (selfHostDeps: ioredis over TCP, one shared connection, the limiter
 * over it; Postgres through the local Neon server, as the vars say); `edge` as
 * the Worker builds it (edgeDeps: @upstash/redis over REST through the local
 * Upstash server, with the limiter, new clients per request).
 */
export async function startFlashDeal(opts: FlashDealOptions): Promise<Started> {
  const config = opts.shipped ? shippedConfig(opts.vars, opts.prefix) : benchConfig(opts.vars, opts.prefix)
  const clientIp = opts.shipped ? {} : { clientIp: (c: Parameters<typeof getConnInfo>[0]) => getConnInfo(c).remote.address }
  let selfHost: SelfHost | undefined
  let app: ReturnType<typeof createApp>
  if (opts.mode === 'self-host') {
    selfHost = selfHostDeps({ ...config, REDIS_URL: opts.redisUrl })
    app = createApp(selfHost.deps, clientIp)
  } else {
    app = createApp(() => edgeDeps(config), clientIp)
  }
  const { port, server } = await serveFetch(app.fetch)
  return {
    info: { port },
    close: async () => {
      await closeServer(server)
      await selfHost?.close()
    },
  }
}
