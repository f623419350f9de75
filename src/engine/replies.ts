/**
 * Readers for Lua replies. Both adapters hand back Redis replies as JS values
 * (integers as numbers, bulk strings as strings, arrays as arrays); these
 * accept exactly that and throw on anything else, so a malformed reply is a
 * loud bug and never a wrong answer.
 */
export class UnexpectedReplyError extends Error {
  constructor(script: string, reply: unknown) {
    super(`unexpected reply from ${script}: ${JSON.stringify(reply)}`)
    this.name = 'UnexpectedReplyError'
  }
}

export function asArray(script: string, reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new UnexpectedReplyError(script, reply)
  return reply
}

export function asInt(script: string, value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n)) throw new UnexpectedReplyError(script, value)
  return n
}

export function asString(script: string, value: unknown): string {
  if (typeof value !== 'string') throw new UnexpectedReplyError(script, value)
  return value
}

/** The tag of a tagged reply: 'OK' or a refusal reason. */
export function tagOf(script: string, reply: unknown[]): string {
  const tag = reply[0]
  if (typeof tag !== 'string') throw new UnexpectedReplyError(script, reply)
  return tag
}
