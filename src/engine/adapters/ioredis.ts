import type { Cluster, Redis } from 'ioredis'
import { StoreUnavailableError } from '../../errors/store-unavailable'
import { NoScriptError, type ScriptPort } from '../port'
import { isUnavailableReply, redisErrorCode } from './redis-errors'

/**
 * ScriptPort over an ioredis client (Node tools, benchmarks, tests).
 * A NOSCRIPT reply becomes NoScriptError; connection trouble (refused, closed,
 * retries exhausted, timeouts) and transient replies become
 * StoreUnavailableError; any other error reply is a bug and passes through.
 */
export function ioredisPort(client: Redis | Cluster): ScriptPort {
  const translate = (sha: string | undefined, err: unknown): never => {
    if (err instanceof Error && err.name === 'ReplyError') {
      if (sha !== undefined && redisErrorCode(err.message) === 'NOSCRIPT') throw new NoScriptError(sha)
      if (isUnavailableReply(err.message)) throw new StoreUnavailableError('redis', err)
      throw err
    }
    throw new StoreUnavailableError('redis', err)
  }
  return {
    async evalsha(sha, keys, args) {
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args)
      } catch (err) {
        return translate(sha, err)
      }
    },
    async eval(source, keys, args) {
      try {
        return await client.eval(source, keys.length, ...keys, ...args)
      } catch (err) {
        return translate(undefined, err)
      }
    },
  }
}
