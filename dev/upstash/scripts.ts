import { createHash } from 'node:crypto'

// Upstash accepts shebang flags that Redis 7.0 rejects with "Unexpected flag in script shebang".
// `allow-key-locking` (sent by @upstash/ratelimit) makes Upstash lock only the declared KEYS
// instead of the whole database; a single-threaded Redis always runs a script atomically, so
// dropping it keeps the script's behaviour. Any other unknown flag is left for Redis to reject,
// exactly as Upstash would.
const UPSTASH_ONLY_FLAGS = new Set(['allow-key-locking'])

export const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex')

/** Returns the script as the local Redis accepts it (the same string when nothing must change). */
export function adaptScript(script: string): string {
  if (!/^#!lua(\s|$)/.test(script)) return script
  const eol = script.indexOf('\n')
  const shebang = eol === -1 ? script : script.slice(0, eol)
  const rest = eol === -1 ? '' : script.slice(eol)
  let changed = false
  const options = shebang
    .slice('#!lua'.length)
    .trim()
    .split(/\s+/)
    .filter((option) => option !== '')
    .flatMap((option) => {
      if (!option.startsWith('flags=')) return [option]
      const flags = option.slice('flags='.length).split(',')
      const kept = flags.filter((flag) => !UPSTASH_ONLY_FLAGS.has(flag))
      if (kept.length === flags.length) return [option]
      changed = true
      return kept.length > 0 ? [`flags=${kept.join(',')}`] : []
    })
  if (!changed) return script
  // Keep a (possibly flag-less) shebang line: Redis 7 then still applies shebang semantics
  // and line numbers in error messages stay the same.
  return ['#!lua', ...options].join(' ') + rest
}

type Finish = (reply: unknown) => unknown
export interface PreparedCommand {
  args: string[]
  /** Post-processes a successful reply (e.g. SCRIPT LOAD answers the client's own sha). */
  finish?: Finish
}

/**
 * Rewrites scripting commands so that clients can keep using the sha1 of the script text they
 * sent, even when the text had to be adapted: sha1(original) -> sha1(adapted).
 */
export class ScriptRegistry {
  private readonly redisShaOf = new Map<string, string>()

  prepare(name: string, args: string[]): PreparedCommand {
    switch (name) {
      case 'EVAL':
      case 'EVAL_RO':
        return args[0] === undefined ? { args } : { args: [this.register(args[0]).script, ...args.slice(1)] }
      case 'EVALSHA':
      case 'EVALSHA_RO':
        return args[0] === undefined ? { args } : { args: [this.resolve(args[0]), ...args.slice(1)] }
      case 'SCRIPT':
        return this.prepareScript(args)
      default:
        return { args }
    }
  }

  private prepareScript(args: string[]): PreparedCommand {
    const sub = args[0]?.toUpperCase()
    if (sub === 'LOAD' && args[1] !== undefined && args.length === 2) {
      const { script, clientSha } = this.register(args[1])
      return { args: [args[0] as string, script], finish: () => Buffer.from(clientSha) }
    }
    if (sub === 'EXISTS') {
      return { args: [args[0] as string, ...args.slice(1).map((sha) => this.resolve(sha))] }
    }
    if (sub === 'FLUSH') {
      return { args, finish: (reply) => (this.redisShaOf.clear(), reply) }
    }
    return { args }
  }

  private register(original: string): { script: string; clientSha: string } {
    const script = adaptScript(original)
    const clientSha = sha1(original)
    if (script !== original) this.redisShaOf.set(clientSha, sha1(script))
    return { script, clientSha }
  }

  private resolve(sha: string): string {
    return this.redisShaOf.get(sha.toLowerCase()) ?? sha
  }
}
