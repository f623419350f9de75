/**
 * `npm run build:web`: the storefront (`/`) and the operator view (`/admin`)
 * as static files in public/, which every door serves as is (Workers assets,
 * Pages, Vercel's outputDirectory, the Node server). The output is committed,
 * so no deploy needs a build step; a test fails when it is stale.
 *
 *   public/index.html, admin.html   the pages' HTML, rendered from web/pages (hono/jsx)
 *   public/assets/*.js, site.css    web/client bundled and minified by esbuild, web/styles.css
 *   public/_headers                 web/headers.ts for Workers assets and Pages
 *   public/favicon.svg              copied
 *   public/assets/docs.js           web/client/docs.ts: starts the API reference at /api/docs
 *   public/assets/scalar-api-reference.js
 *                                   @scalar/api-reference's standalone bundle (the exact
 *                                   version pinned in package.json), copied byte for byte, so
 *                                   /api/docs loads nothing from a CDN
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { headersFile, SCALAR_BUNDLE } from './headers'
import { AdminPage } from './pages/admin'
import { StorefrontPage } from './pages/storefront'

const WEB = dirname(fileURLToPath(import.meta.url))
export const PUBLIC_DIR = join(WEB, '..', 'public')
/** Page JS + CSS, gzip, all files together (issue 18). */
export const WEIGHT_BUDGET_BYTES = 50 * 1024

async function html(page: () => { toString(): string | Promise<string> }): Promise<string> {
  return `<!doctype html>\n${await page().toString()}\n`
}

/** Every built file: its path under public/ and its content. */
export async function buildWeb(): Promise<Map<string, string>> {
  const common = { bundle: true, minify: true, write: false, legalComments: 'none', charset: 'utf8', logLevel: 'warning' } as const
  const [scripts, styles] = await Promise.all([
    build({
      ...common,
      entryPoints: {
        storefront: join(WEB, 'client/storefront.ts'),
        admin: join(WEB, 'client/admin.ts'),
        docs: join(WEB, 'client/docs.ts'),
      },
      outdir: join(PUBLIC_DIR, 'assets'),
      format: 'esm',
      target: 'es2022',
      tsconfig: join(WEB, 'client/tsconfig.json'),
    }),
    build({ ...common, entryPoints: { site: join(WEB, 'styles.css') }, outdir: join(PUBLIC_DIR, 'assets') }),
  ])
  const files = new Map<string, string>()
  for (const out of [...scripts.outputFiles, ...styles.outputFiles]) files.set(relative(PUBLIC_DIR, out.path), out.text)
  files.set('index.html', await html(StorefrontPage))
  files.set('admin.html', await html(AdminPage))
  files.set('_headers', headersFile())
  files.set('favicon.svg', readFileSync(join(WEB, 'favicon.svg'), 'utf8'))
  files.set(SCALAR_BUNDLE, readFileSync(scalarBundlePath(), 'utf8'))
  return files
}

/** The installed @scalar/api-reference's standalone bundle (not among its exports: found beside its main module, dist/index.js). */
export function scalarBundlePath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), 'browser/standalone.js')
}

/** gzip bytes of the pages' own scripts and styles, per file (the API reference's vendored renderer is not theirs). */
export function pageWeight(files: Map<string, string>): Map<string, number> {
  const weights = new Map<string, number>()
  for (const [path, text] of files) {
    if (/\.(js|css)$/.test(path) && path !== SCALAR_BUNDLE) weights.set(path, gzipSync(text, { level: 9 }).length)
  }
  return weights
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildWeb()
  for (const [path, text] of files) {
    mkdirSync(dirname(join(PUBLIC_DIR, path)), { recursive: true })
    writeFileSync(join(PUBLIC_DIR, path), text)
  }
  const weights = pageWeight(files)
  const total = [...weights.values()].reduce((a, b) => a + b, 0)
  for (const [path, bytes] of weights) console.log(`  public/${path}: ${(bytes / 1024).toFixed(1)} KB gzip`)
  console.log(`built ${files.size} files in public/; page JS + CSS ${(total / 1024).toFixed(1)} KB gzip (budget ${WEIGHT_BUDGET_BYTES / 1024} KB)`)
  if (total > WEIGHT_BUDGET_BYTES) {
    console.error('build:web: the pages are over their weight budget')
    process.exit(1)
  }
}
