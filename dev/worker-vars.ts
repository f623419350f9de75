import { CONFIG_VARIABLES } from '../src/env'
import type { StoreVars } from './local-stack'

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.')
}

/**
 * The Worker's variables for `wrangler dev`: every variable of src/env.ts the
 * caller set, with the store variables of the local services wherever a real
 * service isn't given.
 */
export function workerVars(
  env: NodeJS.ProcessEnv,
  local: StoreVars | undefined,
  real: { realRedis: boolean; realDb: boolean },
): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const name of CONFIG_VARIABLES) {
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
