import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { Redis } from 'ioredis'
import pg from 'pg'
import { ADMIN_URL } from '../../test/support/postgres'

const PACKAGES = [
  'hono',
  '@hono/node-server',
  'ioredis',
  '@upstash/redis',
  '@upstash/ratelimit',
  '@neondatabase/serverless',
  'drizzle-orm',
  'zod',
  'express',
  'joi',
  'pg',
  'autocannon',
  'wrangler',
  'tsx',
]

function packageVersion(name: string): string {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version
  } catch {
    return 'missing'
  }
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } catch {
    return 'unknown'
  }
}

export interface Machine {
  nproc: number
  cpu: string
  memoryGiB: number
  os: string
  node: string
  redis: string
  postgres: string
  packages: Record<string, string>
  commit: string
  /** files changed since that commit (the run measured them too) */
  uncommitted: string[]
}

/** What the numbers were measured on. */
export async function describeMachine(redisUrl: string): Promise<Machine> {
  const redis = new Redis(redisUrl)
  const info = await redis.info('server').finally(() => redis.disconnect())
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version').finally(() => client.end())
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    postgres: rows[0]?.server_version ?? 'unknown',
    packages: Object.fromEntries(PACKAGES.map((p) => [p, packageVersion(p)])),
    commit: git('rev-parse', '--short', 'HEAD').trim(),
    uncommitted: git('status', '--porcelain')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3)),
  }
}
