import { spawnSync } from 'node:child_process'
import { expect, it } from 'vitest'
import { ROOT } from '../../dev/paths'

it('the Worker builds offline (wrangler deploy --dry-run) within the 250 KB gzip budget', { timeout: 120_000 }, () => {
  const run = spawnSync('node', ['scripts/check-bundle.mjs', '--budget', '250'], { cwd: ROOT, encoding: 'utf8' })
  console.log(run.stdout.split('\n')[0])
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
  expect(run.stdout).toMatch(/Worker bundle: [\d.]+ KB raw, [\d.]+ KB gzip/)
})
