import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { redactUrl } from '../src/lib/redact-url'
import { describeFailure, StepError } from './failure'

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

export interface RedisHandle {
  url: string
  /** True when this process started the server (and so stops it). */
  started: boolean
  stop(): Promise<void>
}

/** Why the Redis at `url` does not answer PING; undefined when it does. */
async function pingFailure(url: string): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null })
  // connect() then only says "Connection is closed."; the error event has the reason.
  let socketError: unknown
  client.on('error', (err) => (socketError ??= err))
  try {
    await client.connect()
    const reply = await client.ping()
    return reply === 'PONG' ? undefined : `PING answered ${reply}`
  } catch (err) {
    return describeFailure(socketError ?? err).replace(/\.$/, '')
  } finally {
    client.disconnect()
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * The Redis behind the local Upstash server. An explicit REDIS_URL must
 * answer. Unset, it is the one at `defaultUrl` or, when nothing answers
 * there, a throwaway `redis-server` on a free port.
 */
export async function ensureRedis(explicitUrl: string | undefined, defaultUrl = DEFAULT_REDIS_URL): Promise<RedisHandle> {
  const url = explicitUrl ?? defaultUrl
  const failure = await pingFailure(url)
  if (!failure) return { url, started: false, stop: async () => {} }
  if (explicitUrl !== undefined) {
    throw new StepError(
      `REDIS_URL (${redactUrl(url)}) does not answer: ${failure}. ` +
        `Start Redis there, or unset REDIS_URL to use the one at ${defaultUrl} (or a throwaway one).`,
    )
  }
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new StepError(
      `No Redis answers at ${defaultUrl} (REDIS_URL is unset): ${failure}, and redis-server is not installed to start one. ` +
        'Install Redis (e.g. `apt-get install redis-server` or `brew install redis`) or set REDIS_URL.',
    )
  }
  return startThrowawayRedis()
}

/** A `redis-server` of its own (persistence off) on a free port, stopped by the handle. */
export async function startThrowawayRedis(): Promise<RedisHandle> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  const url = `redis://127.0.0.1:${port}`
  let failure = await pingFailure(url)
  for (let i = 0; i < 50 && failure && child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 100))
    failure = await pingFailure(url)
  }
  if (failure) {
    await stop()
    throw new StepError(`Starting a throwaway redis-server on port ${port}: it did not answer within 5 s (${failure})`)
  }
  return { url, started: true, stop }
}
