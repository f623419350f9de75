import { renameSync, writeFileSync } from 'node:fs'
import { StepError } from './failure'

const QUOTES = ["'", '`', '"'] as const

/**
 * `NAME=value` that a dotenv reader gives back as exactly `value`: quoted
 * with a quote the value does not contain (single and backtick quotes keep
 * every character as it is). `forWrangler` also escapes `$` as `\$`:
 * wrangler's --env-file expands `$NAME` (dotenv-expand), Node's reader does not.
 */
export function dotenvLine(name: string, value: string, forWrangler: boolean): string {
  const text = forWrangler ? value.replaceAll('$', '\\$') : value
  // Double quotes turn \n into a newline; a trailing backslash would escape the closing quote.
  const quote = QUOTES.find((q) => !text.includes(q) && !(q === '"' && /\\[nr]/.test(text)))
  if (/[\r\n]/.test(value) || text.endsWith('\\') || quote === undefined) {
    throw new StepError(`${name} cannot be written to a .env file: it contains a line break, all three kinds of quotes, or ends with a backslash`)
  }
  return `${name}=${quote}${text}${quote}`
}

/** A dotenv file of `vars`, with `comments` on top. */
export function dotenvFile(vars: Record<string, string>, comments: string[], forWrangler: boolean): string {
  const lines = [...comments.map((c) => `# ${c}`), ...Object.entries(vars).map(([name, value]) => dotenvLine(name, value, forWrangler))]
  return `${lines.join('\n')}\n`
}

/** Writes a file only its owner can read (mode 0600), atomically, even over an existing one of another mode. */
export function writePrivateFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, text, { mode: 0o600 })
  renameSync(temporary, path)
}
