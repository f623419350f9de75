#!/usr/bin/env node
// `npm run build`: compiles the self-hosted server (src/entry/node.ts) to
// dist/node.js, which `npm start` runs with plain node.
//
// esbuild, not tsc: the sources import each other without file extensions
// (moduleResolution "Bundler", as the Worker's bundler wants), which Node's
// ES modules cannot resolve, so tsc's one-file-per-source output would not
// run. esbuild (the one wrangler and tsx use) bundles our code into one file
// and leaves every package as an import of node_modules: those are the
// `dependencies` in package.json, what `npm prune --omit=dev` keeps.
// Type checking stays with `npm run typecheck`.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

const outdir = 'dist'
const started = Date.now()
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { node: 'src/entry/node.ts' },
  outdir,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
})
console.log(`built ${outdir}/node.js in ${Date.now() - started} ms`)
