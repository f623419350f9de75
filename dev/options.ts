import { resolve } from 'node:path'
import * as z from 'zod'
import { int, parseVariables } from '../src/env'
import { ROOT } from './paths'

/** The variables only the dev tools read (the API's own are in src/env.ts). */
const shape = {
  /** The Redis behind the local Upstash server; unset: the one on the default port, or a throwaway one. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379' }).optional(),
  /** Milliseconds the local Upstash and Neon servers wait before each answer: stores in a far region. */
  LOCAL_STORE_RTT_MS: int(0, 10_000).default(0),
  /** Where npm run dev keeps the embedded PGlite, the admin token and its lock. */
  DEV_DATA_DIR: z.string().default('.data'),
}

export const DEV_VARIABLES = Object.keys(shape) as (keyof typeof shape)[]

export interface DevOptions {
  /** As given; undefined means "the default, or a throwaway one". */
  redisUrl: string | undefined
  rttMs: number
  /** Absolute. */
  dataDir: string
}

export function parseDevOptions(env: Record<string, string | undefined>): DevOptions {
  const options = parseVariables(z.object(shape), env)
  return { redisUrl: options.REDIS_URL, rttMs: options.LOCAL_STORE_RTT_MS, dataDir: resolve(ROOT, options.DEV_DATA_DIR) }
}
