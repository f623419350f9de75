/**
 * `npm run reconcile:dev [file]`: the reconciler against a running
 * `npm run dev`, with the variables it wrote to .dev.vars (or `file`).
 */
import { existsSync, readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { parseEnv } from 'node:util'
import { devVarsOwner, pidAlive } from './instance'
import { DEV_VARS } from './paths'

const file = process.argv[2] ?? DEV_VARS
if (!existsSync(file)) {
  console.error(
    `No ${relative(process.cwd(), file)}: npm run dev writes it once its Worker serves. Start \`npm run dev\` first (in another terminal), then run this again.`,
  )
  process.exit(1)
}
const text = readFileSync(file, 'utf8')
const owner = devVarsOwner(text)
if (owner !== undefined && !pidAlive(owner)) {
  console.error(
    `${relative(process.cwd(), file)} was written by an npm run dev (pid ${owner}) that is no longer running. Start \`npm run dev\` first, then run this again.`,
  )
  process.exit(1)
}
// Its values win over the shell's: they point at the stores of that running instance.
Object.assign(process.env, parseEnv(text))
await import('../src/entry/reconcile-cli')
