import { Command, type Redis } from 'ioredis'
import { HttpError } from './http'
import type { PreparedCommand, ScriptRegistry } from './scripts'

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

export type CommandOutcome = { result: JsonValue } | { error: string }

export interface ParsedCommand {
  /** Upper-cased, which also keeps ioredis from applying its reply transformers (e.g. hgetall). */
  name: string
  args: string[]
}

// Commands that would change the state of the one connection every request shares, or block it
// for everyone. Transactions go through /multi-exec instead.
const UNSUPPORTED = new Set([
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'UNSUBSCRIBE',
  'PUNSUBSCRIBE',
  'SUNSUBSCRIBE',
  'MONITOR',
  'QUIT',
  'RESET',
  'HELLO',
  'AUTH',
  'SELECT',
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'UNWATCH',
  'BLPOP',
  'BRPOP',
  'BRPOPLPUSH',
  'BLMOVE',
  'BLMPOP',
  'BZPOPMIN',
  'BZPOPMAX',
  'BZMPOP',
  'WAIT',
])

function unsupportedReason(command: ParsedCommand): string | undefined {
  const blockingRead = (command.name === 'XREAD' || command.name === 'XREADGROUP') && command.args.some((arg) => arg.toUpperCase() === 'BLOCK')
  if (UNSUPPORTED.has(command.name) || blockingRead) {
    return `ERR command '${command.name}' is not supported by the local Upstash server`
  }
  return undefined
}

export function parseCommand(value: unknown): ParsedCommand {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, 'ERR a command must be a non-empty JSON array')
  }
  const parts = value.map((part: unknown) => {
    if (typeof part === 'string') return part
    if ((typeof part === 'number' && Number.isFinite(part)) || typeof part === 'boolean') return String(part)
    throw new HttpError(400, 'ERR command arguments must be strings, numbers or booleans')
  })
  const [name = '', ...args] = parts
  if (name === '') throw new HttpError(400, 'ERR empty command name')
  return { name: name.toUpperCase(), args }
}

export function parseCommandList(value: unknown): ParsedCommand[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, 'ERR expected a non-empty JSON array of commands')
  }
  return value.map(parseCommand)
}

const isReplyError = (reason: unknown): reason is Error => reason instanceof Error && reason.name === 'ReplyError'

function unavailable(reason: unknown): HttpError {
  const detail = reason instanceof Error ? reason.message : String(reason)
  return new HttpError(503, `ERR local Upstash server: Redis is unavailable (${detail})`)
}

/** Runs REST commands on one shared ioredis connection, replies kept as Buffers. */
export class CommandRunner {
  constructor(
    private readonly redis: Redis,
    private readonly scripts: ScriptRegistry,
  ) {}

  /** Commands of one pipeline are written back to back, so Redis sees a real pipeline. */
  async pipeline(commands: ParsedCommand[], base64: boolean): Promise<CommandOutcome[]> {
    const runs = commands.map((command) => {
      const reason = unsupportedReason(command)
      if (reason !== undefined) return Promise.reject(new HttpError(400, reason))
      const prepared = this.scripts.prepare(command.name, command.args)
      return this.send(command.name, prepared.args).then((reply) => finish(prepared, reply))
    })
    const settled = await Promise.allSettled(runs)
    return settled.map((outcome) => {
      if (outcome.status === 'fulfilled') return { result: encodeReply(outcome.value, base64) }
      if (isReplyError(outcome.reason) || outcome.reason instanceof HttpError) {
        return { error: outcome.reason.message }
      }
      throw unavailable(outcome.reason)
    })
  }

  /**
   * MULTI, the commands and EXEC are written in one go (nothing can interleave on the
   * connection). Runtime errors come back per command; a command Redis refuses to queue aborts
   * the whole transaction (EXECABORT), answered as a 400 like SRH does.
   */
  async transaction(commands: ParsedCommand[], base64: boolean): Promise<CommandOutcome[]> {
    for (const command of commands) {
      const reason = unsupportedReason(command)
      if (reason !== undefined) throw new HttpError(400, reason)
    }
    const prepared = commands.map((command) => this.scripts.prepare(command.name, command.args))
    const sent = [this.send('MULTI', []), ...commands.map((command, i) => this.send(command.name, prepared[i]?.args ?? [])), this.send('EXEC', [])]
    const settled = await Promise.allSettled(sent)
    const failure = settled.find((s) => s.status === 'rejected' && !isReplyError(s.reason))
    if (failure?.status === 'rejected') throw unavailable(failure.reason)

    const exec = settled[settled.length - 1]
    if (exec?.status === 'rejected') {
      // EXECABORT alone does not say which command was refused; name it.
      const queueErrors = settled
        .slice(1, -1)
        .flatMap((s, i) => (s.status === 'rejected' ? [`command ${i + 1}: ${(s.reason as Error).message}`] : []))
      throw new HttpError(400, [(exec.reason as Error).message, ...queueErrors].join(' '))
    }
    const replies: unknown = exec?.value
    if (!Array.isArray(replies)) throw new HttpError(400, 'ERR transaction aborted')
    return replies.map((reply: unknown, i) =>
      isReplyError(reply) ? { error: reply.message } : { result: encodeReply(finish(prepared[i], reply), base64) },
    )
  }

  private send(name: string, args: string[]): Promise<unknown> {
    const command = new Command(name, args, { replyEncoding: null })
    void this.redis.sendCommand(command)
    return command.promise
  }
}

const finish = (prepared: PreparedCommand | undefined, reply: unknown): unknown => (prepared?.finish ? prepared.finish(reply) : reply)

/**
 * Converts an ioredis Buffer-mode reply to the JSON the REST protocol carries.
 *
 * With `Upstash-Encoding: base64` every bulk or status string is base64 (SRH's
 * ResultEncoder does the same: "OK" becomes "T0s="). The client decodes any string at the top
 * level except a literal "OK", and decodes every string inside arrays, so encoding "OK" too is
 * the only choice that is correct at every depth. Integers and nulls are never encoded.
 */
export function encodeReply(reply: unknown, base64: boolean): JsonValue {
  if (reply === null || reply === undefined) return null
  if (typeof reply === 'number') return reply
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString('base64') : reply.toString('utf8')
  if (typeof reply === 'string') return base64 ? Buffer.from(reply).toString('base64') : reply
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64))
  // An error nested below the top level (e.g. inside a Lua table) travels as its message.
  return encodeReply(reply instanceof Error ? reply.message : String(reply), base64)
}
