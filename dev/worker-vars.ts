import type { StoreVars } from './local-stack'

/** Variables the Worker reads (src/env.ts); given to `npm run dev`, they reach it. */
const PASSED_THROUGH = [
  'PORT',
  'REDIS_TTL',
  'HOLD_MAX_SECONDS',
  'RATE_LIMIT_WINDOW_MS',
  'RATE_LIMIT_MAX_REQUESTS',
  'REDIS_PREFIX',
  'LOG_LEVEL',
  'UPSTASH_REDIS_REST_URL',
  'UPSTASH_REDIS_REST_TOKEN',
  'DATABASE_URL',
  'NEON_FETCH_ENDPOINT',
] as const

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.')
}

/**
 * The Worker's variables for `wrangler dev`: what the caller set, with the
 * store variables of the local services wherever a real service isn't given.
 */
export function workerVars(
  env: NodeJS.ProcessEnv,
  local: StoreVars | undefined,
  real: { realRedis: boolean; realDb: boolean },
): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const name of PASSED_THROUGH) {
    const value = env[name]
    if (value !== undefined && value !== '') vars[name] = value
  }
  if (local && !real.realRedis) {
    vars.UPSTASH_REDIS_REST_URL = local.UPSTASH_REDIS_REST_URL
    vars.UPSTASH_REDIS_REST_TOKEN = local.UPSTASH_REDIS_REST_TOKEN
  }
  if (local && !real.realDb) {
    vars.DATABASE_URL = local.DATABASE_URL
    vars.NEON_FETCH_ENDPOINT = local.NEON_FETCH_ENDPOINT
  }
  return vars
}
