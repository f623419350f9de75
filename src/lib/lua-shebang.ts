import { createHash } from 'node:crypto'

// Upstash accepts shebang flags that Redis 7.0 rejects with "Unexpected flag in script shebang".
// `allow-key-locking` (sent by @upstash/ratelimit) makes Upstash lock only the declared KEYS
// instead of the whole database; a single-threaded Redis always runs a script atomically, so
// dropping it keeps the script's behaviour. Any other unknown flag is left for Redis to reject,
// exactly as Upstash would.
const UPSTASH_ONLY_FLAGS = new Set(['allow-key-locking'])

/** Returns the script as a plain Redis accepts it (the same string when nothing must change). */
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

const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex')

/**
 * Scripts as a plain Redis runs them, under the sha1 the client knows: a
 * client computes the sha1 of the text it sends, and an adapted text has
 * another one. adapt() gives the text to send and remembers
 * sha1(original) -> sha1(adapted); redisSha() maps a client's sha to the one
 * Redis holds (itself when nothing was adapted).
 */
export class AdaptedScripts {
  private readonly redisShaOf = new Map<string, string>()

  adapt(original: string): { script: string; clientSha: string } {
    const script = adaptScript(original)
    const clientSha = sha1(original)
    if (script !== original) this.redisShaOf.set(clientSha, sha1(script))
    return { script, clientSha }
  }

  redisSha(sha: string): string {
    return this.redisShaOf.get(sha.toLowerCase()) ?? sha
  }

  /** After SCRIPT FLUSH nothing adapted is held any more. */
  clear(): void {
    this.redisShaOf.clear()
  }
}
