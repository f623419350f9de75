import type { Keys } from './keys'
import { RefusalMemory } from './refusal-memory'
import { asArray, asInt, UnexpectedReplyError } from './replies'
import type { LuaScript } from './run-script'
import { rateHitScript } from './scripts'
import type { EngineOptions, Guard, RateInfo, RateLimited, RateScope } from './types'

type Run = (script: LuaScript, keys: string[], args: string[]) => Promise<unknown>

/** What a guarded script answered after its rate head: the rest of the reply, and the window it went through. */
export type GuardedAnswer = { reply: unknown[]; rate?: RateInfo } | RateLimited

/**
 * One write's limits, as a script takes them (see GUARD in scripts/lua-lib.ts):
 * the two window keys, the address its new holds count against, and the
 * windows' sizes. `refused` is set when a window is remembered as closed:
 * the call then costs no Redis command at all.
 */
export interface GuardedCall {
  refused?: RateLimited
  keys: [address: string, customer: string]
  holdArgs: [address: string, maxHeldPerAddress: string]
  windowArgs: string[]
  run(script: LuaScript, keys: string[], args: string[]): Promise<GuardedAnswer>
}

export interface Guards {
  of(guard?: Guard): GuardedCall
  charge(address: string): Promise<RateLimited | { ok: true; rate?: RateInfo }>
}

const SCOPES = new Set<string>(['ip', 'user'])

export function createGuards(run: Run, keys: Keys, opts: EngineOptions): Guards {
  const limits = opts.limits
  const refusals = opts.refusals ?? new RefusalMemory()
  const maxOf = (scope: RateScope) => (scope === 'ip' ? limits?.address.max : limits?.customer.max) ?? 0

  /** The rate head {scope, remaining, reset ms} that every guarded reply starts with. */
  function readHead(script: string, reply: unknown[], windowKey: Record<RateScope, string>): GuardedAnswer {
    const [scope, remaining, reset] = reply
    if (scope === '-') return { reply: reply.slice(3) }
    if (typeof scope !== 'string' || !SCOPES.has(scope)) throw new UnexpectedReplyError(script, reply)
    const s = scope as RateScope
    const resetAt = new Date(asInt(script, reset))
    if (reply[3] === 'RATE_LIMITED') {
      refusals.block(windowKey[s], resetAt.getTime())
      return { ok: false, reason: 'RATE_LIMITED', scope: s, resetAt }
    }
    return { reply: reply.slice(3), rate: { scope: s, limit: maxOf(s), remaining: asInt(script, remaining), resetAt } }
  }

  function remembered(windows: [RateScope, string][]): RateLimited | undefined {
    for (const [scope, key] of windows) {
      const until = refusals.blockedUntil(key)
      if (until !== undefined) return { ok: false, reason: 'RATE_LIMITED', scope, resetAt: new Date(until) }
    }
    return undefined
  }

  return {
    of(guard) {
      if (!guard || !limits) {
        return {
          keys: [keys.unused, keys.unused],
          holdArgs: ['', '0'],
          windowArgs: ['', '', '', ''],
          run: async (script, k, args) => readHead(script.name, asArray(script.name, await run(script, k, args)), { ip: '', user: '' }),
        }
      }
      const windowKey = { ip: keys.rate('a', guard.address), user: keys.rate('c', guard.customer) }
      const counted = limits.maxHeldPerAddress > 0
      return {
        refused: remembered([
          ['ip', windowKey.ip],
          ['user', windowKey.user],
        ]),
        keys: [windowKey.ip, windowKey.user],
        holdArgs: [counted ? guard.address : '', String(limits.maxHeldPerAddress)],
        windowArgs: [limits.address, limits.customer].flatMap((w) => [String(w.max), String(w.windowMs)]),
        run: async (script, k, args) => readHead(script.name, asArray(script.name, await run(script, k, args)), windowKey),
      }
    },

    async charge(address) {
      if (!limits) return { ok: true }
      const windowKey = { ip: keys.rate('a', address), user: '' }
      const known = remembered([['ip', windowKey.ip]])
      if (known) return known
      const args = [String(limits.address.max), String(limits.address.windowMs)]
      const answer = readHead(rateHitScript.name, asArray(rateHitScript.name, await run(rateHitScript, [windowKey.ip], args)), windowKey)
      return 'reply' in answer ? { ok: true, rate: answer.rate } : answer
    },
  }
}
