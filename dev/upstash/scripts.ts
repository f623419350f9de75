import { createHash } from 'node:crypto'
import { adaptScript } from '../../src/lua-shebang'

export const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex')

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
