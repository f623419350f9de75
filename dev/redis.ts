import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

export interface RedisHandle {
  url: string
  /** True when this process started the server (and so stops it). */
  started: boolean
  stop(): Promise<void>
}

async function reachable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
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
 * Uses the Redis at `url` when it answers; otherwise starts `redis-server`
 * (persistence off) on a free port if it is installed.
 */
export async function ensureRedis(url: string): Promise<RedisHandle> {
  if (await reachable(url)) return { url, started: false, stop: async () => {} }
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      `No Redis answers at ${url} and redis-server is not installed.\n` +
        'Install Redis (e.g. `apt-get install redis-server` or `brew install redis`) or set REDIS_URL.',
    )
  }
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  const startedUrl = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 50 && !(await reachable(startedUrl)); i++) await new Promise((r) => setTimeout(r, 100))
  return {
    url: startedUrl,
    started: true,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
