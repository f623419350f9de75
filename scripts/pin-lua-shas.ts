// Re-pins the `sha` of every Lua script module after its source changed
// (test/node/engine-scripts.test.ts fails until the pins match).
// Usage: npx tsx scripts/pin-lua-shas.ts
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { ALL_SCRIPTS } from '../src/engine/scripts'

for (const script of ALL_SCRIPTS) {
  const sha = createHash('sha1').update(script.source, 'utf8').digest('hex')
  if (sha === script.sha) continue
  const file = new URL(`../src/engine/scripts/${script.name}.lua.ts`, import.meta.url)
  writeFileSync(file, readFileSync(file, 'utf8').replace(/sha: '[0-9a-f]*'/, `sha: '${sha}'`))
  console.log(`${script.name}: ${sha}`)
}
