import { AdaptedScripts } from '../../src/lib/lua-shebang'

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
  private readonly scripts = new AdaptedScripts()

  prepare(name: string, args: string[]): PreparedCommand {
    switch (name) {
      case 'EVAL':
      case 'EVAL_RO':
        return args[0] === undefined ? { args } : { args: [this.scripts.adapt(args[0]).script, ...args.slice(1)] }
      case 'EVALSHA':
      case 'EVALSHA_RO':
        return args[0] === undefined ? { args } : { args: [this.scripts.redisSha(args[0]), ...args.slice(1)] }
      case 'SCRIPT':
        return this.prepareScript(args)
      default:
        return { args }
    }
  }

  private prepareScript(args: string[]): PreparedCommand {
    const sub = args[0]?.toUpperCase()
    if (sub === 'LOAD' && args[1] !== undefined && args.length === 2) {
      const { script, clientSha } = this.scripts.adapt(args[1])
      return { args: [args[0] as string, script], finish: () => Buffer.from(clientSha) }
    }
    if (sub === 'EXISTS') {
      return { args: [args[0] as string, ...args.slice(1).map((sha) => this.scripts.redisSha(sha))] }
    }
    if (sub === 'FLUSH') {
      return {
        args,
        finish: (reply) => {
          this.scripts.clear()
          return reply
        },
      }
    }
    return { args }
  }
}
