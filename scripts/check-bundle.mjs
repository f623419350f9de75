#!/usr/bin/env node
// Builds the Worker as `wrangler deploy` would (without uploading), prints its
// gzip size and the biggest contributors, and fails above the budget.
//
//   node scripts/check-bundle.mjs [--budget KB] [-- extra wrangler args]
//   BUNDLE_BUDGET_KB=200 npm run check:bundle
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const args = process.argv.slice(2)
const flag = args.indexOf('--budget')
const budgetKb = Number(flag >= 0 ? args[flag + 1] : (process.env.BUNDLE_BUDGET_KB ?? 200))
const extra = args.includes('--') ? args.slice(args.indexOf('--') + 1) : []
if (!(budgetKb > 0)) {
  console.error('check-bundle: the budget must be a positive number of KB (--budget or BUNDLE_BUDGET_KB)')
  process.exit(2)
}

const outdir = 'dist-worker'
const metafile = join(outdir, 'bundle-meta.json')
rmSync(outdir, { recursive: true, force: true })
const build = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--env=', '--outdir', outdir, '--metafile', metafile, ...extra], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
})
if (build.status !== 0) {
  process.stdout.write(build.stdout)
  process.exit(build.status ?? 1)
}

// What Cloudflare counts: the uploaded modules (not source maps), gzipped.
const modules = readdirSync(outdir).filter((f) => /\.(m?js|wasm)$/.test(f))
const raw = modules.map((f) => readFileSync(join(outdir, f)))
const gzipKb = raw.reduce((sum, b) => sum + gzipSync(b).length, 0) / 1024
const rawKb = raw.reduce((sum, b) => sum + b.length, 0) / 1024

// Raw bytes per package from esbuild's metafile: where the size comes from.
const meta = JSON.parse(readFileSync(metafile, 'utf8'))
const byPackage = new Map()
for (const output of Object.values(meta.outputs)) {
  for (const [file, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
    const pkg = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? file.split('/').slice(0, 2).join('/')
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput)
  }
}
console.log(`Worker bundle: ${rawKb.toFixed(1)} KB raw, ${gzipKb.toFixed(1)} KB gzip (budget ${budgetKb} KB gzip)`)
console.log('Biggest contributors (raw KB, before gzip):')
for (const [pkg, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
  console.log(`  ${(bytes / 1024).toFixed(1).padStart(8)}  ${pkg}`)
}
if (gzipKb > budgetKb) {
  console.error(`check-bundle: ${gzipKb.toFixed(1)} KB gzip is over the ${budgetKb} KB budget`)
  process.exit(1)
}
