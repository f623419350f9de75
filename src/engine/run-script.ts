import { StoreUnavailableError } from '../errors/store-unavailable'
import { NoScriptError, type ScriptPort } from './port'

/** A Lua script as the engine ships it: the SHA is pinned (Workers cannot hash synchronously). */
export interface LuaScript {
  readonly name: string
  readonly source: string
  /** sha1 hex of `source`, pinned as a literal and checked by a test */
  readonly sha: string
}

/**
 * Runs a script: EVALSHA first (one round trip once Redis has the script),
 * EVAL of the source when Redis answers NOSCRIPT (which also caches it).
 * A store failure is named after the script, for the logs.
 */
export async function runScript(port: ScriptPort, script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    try {
      return await port.evalsha(script.sha, keys, args)
    } catch (err) {
      if (err instanceof NoScriptError) return await port.eval(script.source, keys, args)
      throw err
    }
  } catch (err) {
    if (err instanceof StoreUnavailableError) err.operation ??= `script ${script.name}`
    throw err
  }
}
