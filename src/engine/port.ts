/**
 * The one thing the engine needs from Redis: run a Lua script by SHA or by
 * source. Adapters translate their client's errors: a missing script becomes
 * NoScriptError, an unreachable Redis becomes StoreUnavailableError.
 */
export interface ScriptPort {
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>
  eval(source: string, keys: string[], args: string[]): Promise<unknown>
}

export class NoScriptError extends Error {
  constructor(sha: string) {
    super(`NOSCRIPT ${sha}`)
    this.name = 'NoScriptError'
  }
}
