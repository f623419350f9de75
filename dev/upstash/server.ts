// A local server speaking the Upstash Redis REST protocol over a real Redis, so that
// @upstash/redis and @upstash/ratelimit run unchanged in development and tests.
// Protocol as implemented by SRH (hiett/serverless-redis-http) and expected by @upstash/redis:
//   POST /            ["SET","k","v"]        -> 200 {result} | 400 {error}
//   POST /pipeline    [[...], [...]]         -> 200 [{result}|{error}, ...]
//   POST /multi-exec  [[...], [...]]         -> 200 [{result}|{error}, ...] | 400 {error} (EXECABORT)
//   Authorization: Bearer <token>; Upstash-Encoding: base64 -> strings in results are base64.
// No CORS headers: only the server-side clients it stands in for may read its answers.
import { setTimeout as delay } from 'node:timers/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { CommandRunner, parseCommand, parseCommandList, type ParsedCommand } from './exec'
import { bearerCheck, HttpError, readJsonBody, sendJson } from './http'
import { ScriptRegistry } from './scripts'
import { traceSpan, type SpanHook } from '../request-span'

export interface UpstashServerOptions {
  redisUrl: string
  token: string
  /** Default 127.0.0.1. */
  host?: string
  /** 0 (the default) picks a free port. */
  port?: number
  /** Milliseconds added before answering each request: a store region far away (LOCAL_STORE_RTT_MS). */
  delayMs?: number
  /** Told each request's arrival and answer times (benchmarks count round trips with it). */
  onRequest?: SpanHook
}

export interface UpstashStats {
  /** HTTP requests received, except those to the /__local/ endpoints themselves. */
  requests: number
  commands: number
  byCommand: Record<string, number>
}

export interface UpstashServer {
  url: string
  port: number
  token: string
  stats(): UpstashStats
  resetStats(): void
  close(): Promise<void>
}

type Route = 'command' | 'pipeline' | 'multi-exec' | 'stats' | 'stats-reset'
const ROUTES: Record<string, { route: Route; method: 'GET' | 'POST' }> = {
  '/': { route: 'command', method: 'POST' },
  '/pipeline': { route: 'pipeline', method: 'POST' },
  '/multi-exec': { route: 'multi-exec', method: 'POST' },
  '/__local/stats': { route: 'stats', method: 'GET' },
  '/__local/stats/reset': { route: 'stats-reset', method: 'POST' },
}

export async function startUpstashServer(opts: UpstashServerOptions): Promise<UpstashServer> {
  if (opts.token === '') throw new Error('startUpstashServer: token must not be empty')
  const redis = connectRedis(opts.redisUrl)
  await firstConnectAttempt(redis, 1_000)
  const runner = new CommandRunner(redis, new ScriptRegistry())
  const stats = new StatsCounter()
  const authorized = bearerCheck(opts.token)
  const delayMs = opts.delayMs ?? 0

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    if (!pathname.startsWith('/__local/')) {
      stats.requests++
      if (delayMs > 0) await delay(delayMs)
    }
    const entry = ROUTES[pathname]
    if (!entry) throw new HttpError(404, `ERR no such endpoint: ${pathname}`)
    if (req.method !== entry.method) throw new HttpError(405, `ERR use ${entry.method} for ${pathname}`)
    if (!authorized(req.headers.authorization)) throw new HttpError(401, 'Unauthorized')

    if (entry.route === 'stats') return sendJson(res, 200, stats.snapshot())
    if (entry.route === 'stats-reset') {
      stats.reset()
      return sendJson(res, 200, { result: 'OK' })
    }

    const body = await readJsonBody(req)
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64'
    if (entry.route === 'command') {
      const command = parseCommand(body)
      stats.count([command])
      const [outcome] = await runner.pipeline([command], base64)
      return sendJson(res, outcome && 'error' in outcome ? 400 : 200, outcome ?? null)
    }
    const commands = parseCommandList(body)
    stats.count(commands)
    const outcomes = entry.route === 'pipeline' ? await runner.pipeline(commands, base64) : await runner.transaction(commands, base64)
    sendJson(res, 200, outcomes)
  }

  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/__local/')) traceSpan(req, res, opts.onRequest)
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy()
      if (error instanceof HttpError) {
        // Do not keep reading an oversized upload on a kept-alive connection.
        const headers: Record<string, string> = error.status === 413 ? { connection: 'close' } : {}
        return sendJson(res, error.status, { error: error.message }, headers)
      }
      const detail = error instanceof Error ? error.message : String(error)
      sendJson(res, 500, { error: `ERR local Upstash server: ${detail}` })
    })
  })
  const host = opts.host ?? '127.0.0.1'
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    redis.disconnect()
    throw error
  }
  const { port } = server.address() as AddressInfo

  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect())
    else redis.disconnect()
  }

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    token: opts.token,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    close: () => (closing ??= close()),
  }
}

function connectRedis(redisUrl: string): Redis {
  const redis = new Redis(redisUrl, {
    // Fail fast while Redis is unreachable instead of queueing requests; ioredis keeps
    // reconnecting in the background, so the server recovers by itself.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 500,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  })
  // Without a listener an ioredis error event would crash the process; log each new error once.
  let lastError = ''
  redis.on('error', (error: Error) => {
    if (error.message === lastError) return
    lastError = error.message
    console.warn(`[upstash-local] redis: ${error.message}`)
  })
  redis.on('ready', () => {
    lastError = ''
  })
  return redis
}

/** Resolves once the first connection attempt is over (ready, failed or timed out). */
function firstConnectAttempt(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      redis.off('ready', done).off('error', done)
      resolve()
    }
    const timer = setTimeout(done, timeoutMs)
    redis.once('ready', done).once('error', done)
  })
}

class StatsCounter {
  requests = 0
  private commands = 0
  private byCommand = new Map<string, number>()

  count(commands: ParsedCommand[]): void {
    for (const { name } of commands) {
      this.commands++
      this.byCommand.set(name, (this.byCommand.get(name) ?? 0) + 1)
    }
  }

  snapshot(): UpstashStats {
    return { requests: this.requests, commands: this.commands, byCommand: Object.fromEntries(this.byCommand) }
  }

  reset(): void {
    this.requests = 0
    this.commands = 0
    this.byCommand = new Map()
  }
}
