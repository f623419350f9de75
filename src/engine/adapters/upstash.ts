import type { Redis } from '@upstash/redis'
import { StoreUnavailableError } from '../../errors/store-unavailable'
import { NoScriptError, type ScriptPort } from '../port'
import { isScriptOrCommandError, ScriptError } from './redis-errors'

/** The two methods used; the Node, Cloudflare and Fastly `Redis` classes all fit. */
export type UpstashScriptClient = Pick<Redis, 'evalsha' | 'eval'>

/**
 * ScriptPort over an @upstash/redis client, which must be created with
 * `automaticDeserialization: false` (replies are used as Redis sent them).
 *
 * The client throws UpstashError("<error>, command was: …") for any error
 * body and does not expose the HTTP status, so errors are sorted by text:
 * NOSCRIPT becomes NoScriptError; an error raised by the script or by a
 * malformed command (a bug) becomes ScriptError with the reply alone; everything else — fetch
 * failures, aborts, timeouts, non-JSON bodies (a proxy's 5xx page), 5xx and
 * auth errors, transient or quota replies — becomes StoreUnavailableError.
 */
export function upstashPort(redis: UpstashScriptClient): ScriptPort {
  const translate = (sha: string | undefined, err: unknown): never => {
    if (err instanceof Error && err.name === 'UpstashError') {
      // Only the error text: the echoed command holds keys and user ids.
      const reply = err.message.split(', command was:')[0] ?? ''
      if (sha !== undefined && reply.includes('NOSCRIPT')) throw new NoScriptError(sha)
      if (isScriptOrCommandError(reply)) throw new ScriptError(reply)
    }
    throw new StoreUnavailableError('redis', err)
  }
  return {
    async evalsha(sha, keys, args) {
      try {
        return await redis.evalsha(sha, keys, args)
      } catch (err) {
        return translate(sha, err)
      }
    },
    async eval(source, keys, args) {
      try {
        return await redis.eval(source, keys, args)
      } catch (err) {
        return translate(undefined, err)
      }
    },
  }
}
