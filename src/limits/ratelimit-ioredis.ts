import type { Redis } from 'ioredis'
import { AdaptedScripts } from '../lib/lua-shebang'
import type { RatelimitRedis } from './rate-limiter'

// As @upstash/redis sends arguments: strings, numbers and booleans as they are, the rest as JSON.
const toArg = (arg: unknown): string | number =>
  typeof arg === 'string' || typeof arg === 'number' ? arg : typeof arg === 'boolean' ? String(arg) : JSON.stringify(arg)

/**
 * @upstash/ratelimit over an ioredis connection (the self-hosted server).
 *
 * The library's scripts start with `#!lua flags=allow-key-locking`, which
 * Redis 7.0 refuses, and it calls EVALSHA with the sha1 of that text, which
 * Redis therefore never has. So EVAL sends the script without the flag and
 * remembers the sha1 of what it sent under the library's sha, and EVALSHA asks
 * for that one: after the first call (EVALSHA → NOSCRIPT, EVAL) every check is
 * one EVALSHA. If Redis loses its scripts (restart, SCRIPT FLUSH) ioredis's
 * NOSCRIPT ReplyError reaches the library as is, and it falls back to EVAL.
 *
 * Errors are not translated: the rate-limit middleware takes any rejection for
 * Redis being down, and the connection's commandTimeout and
 * maxRetriesPerRequest make sure a dead Redis rejects rather than hangs.
 */
export function ioredisRatelimitClient(redis: Redis): RatelimitRedis {
  const scripts = new AdaptedScripts()
  return {
    evalsha: (sha, keys, args) => redis.evalsha(scripts.redisSha(sha), keys.length, ...keys, ...args.map(toArg)),
    eval: (original, keys, args) => redis.eval(scripts.adapt(original).script, keys.length, ...keys, ...args.map(toArg)),
  }
}
