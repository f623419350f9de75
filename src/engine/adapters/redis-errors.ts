/**
 * Sorting Redis error replies into "the store cannot serve this now" and
 * "this script or command is wrong" (a bug, left to surface as a 500).
 */
const UNAVAILABLE_CODES = new Set(['LOADING', 'BUSY', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN', 'READONLY', 'NOREPLICAS', 'NOAUTH', 'WRONGPASS'])

/** The error code of a Redis error reply ("ERR", "WRONGTYPE", "NOSCRIPT"…), or undefined. */
export function redisErrorCode(message: string): string | undefined {
  return /^([A-Z][A-Z_]+)\b/.exec(message)?.[1]
}

/** Loading, busy, failing over, refusing our credentials, or over an Upstash quota. */
export function isUnavailableReply(message: string): boolean {
  const code = redisErrorCode(message)
  if (code && UNAVAILABLE_CODES.has(code)) return true
  return /\b(max|daily|monthly)\b.*\blimit\b.*\bexceeded\b/i.test(message)
}

const SCRIPT_OR_COMMAND_ERROR = /user_script|Error (running|compiling) script|^WRONGTYPE\b|wrong number of arg|syntax error|unknown command/i

/** Raised by a script (runtime error, bad call inside it) or by a malformed command. */
export function isScriptOrCommandError(message: string): boolean {
  if (isUnavailableReply(message)) return false
  return SCRIPT_OR_COMMAND_ERROR.test(message)
}

/** A script or command error (a bug): the reply's text only, never the echoed command and its arguments. */
export class ScriptError extends Error {
  constructor(reply: string) {
    super(reply)
    this.name = 'ScriptError'
  }
}
