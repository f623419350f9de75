import type { Server } from 'node:http'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../dev/paths'
import { freePort } from '../../dev/redis'
import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { withStaticPages } from '../../src/self-host/static-pages'
import { buildWeb, pageWeight, PUBLIC_DIR, scalarBundlePath, WEIGHT_BUDGET_BYTES } from '../../web/build'
import { ApiError } from '../../web/client/api'
import { explain } from '../../web/client/refusals'
import { DOCS_CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY, PAGE_HEADERS, SCALAR_BUNDLE, STATIC_FILES } from '../../web/headers'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

// The storefront and operator pages as files: built from web/, light, and
// served with their Content-Security-Policy by every door. The pages at work
// in a browser: test/node/web-pages.test.ts.

let built: Map<string, string>
beforeAll(async () => {
  built = await buildWeb()
}, 60_000)

describe('public/ (npm run build:web)', () => {
  it('is what the build makes of web/ now: rebuild and commit after editing web/', () => {
    expect([...built.keys()].sort()).toEqual([
      '_headers',
      'admin.html',
      'assets/admin.js',
      'assets/docs.js',
      'assets/scalar-api-reference.js',
      'assets/site.css',
      'assets/storefront.js',
      'favicon.svg',
      'index.html',
    ])
    for (const [path, text] of built) {
      expect(readFileSync(join(PUBLIC_DIR, path), 'utf8'), `public/${path} is stale: npm run build:web`).toBe(text)
    }
  })

  it('weighs at most 50 KB gzip in page JS + CSS, all files together', () => {
    const weights = pageWeight(built)
    expect([...weights.keys()].sort()).toEqual(['assets/admin.js', 'assets/docs.js', 'assets/site.css', 'assets/storefront.js'])
    const total = [...weights.values()].reduce((a, b) => a + b, 0)
    console.log(
      `page weight: ${[...weights].map(([f, b]) => `${f} ${(b / 1024).toFixed(1)} KB`).join(', ')}; total ${(total / 1024).toFixed(1)} KB gzip`,
    )
    expect(total).toBeLessThanOrEqual(WEIGHT_BUDGET_BYTES)
  })

  it('carries the API reference renderer byte for byte from the pinned @scalar/api-reference', () => {
    const pinned = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies['@scalar/api-reference']
    expect(pinned, 'an exact version').toMatch(/^\d+\.\d+\.\d+$/)
    const installed = JSON.parse(readFileSync(join(dirname(scalarBundlePath()), '../../package.json'), 'utf8')).version
    expect(installed).toBe(pinned)
    expect(readFileSync(join(PUBLIC_DIR, SCALAR_BUNDLE)).equals(readFileSync(scalarBundlePath()))).toBe(true)
    expect(built.get('assets/docs.js')).toContain('Scalar.createApiReference(')
  })

  it('has no inline script or style, and carries the policy in a <meta> too', () => {
    for (const page of ['index.html', 'admin.html']) {
      const html = built.get(page)!
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])
      expect(scripts).toEqual([expect.stringMatching(/^<script type="module" src="\/assets\/(storefront|admin)\.js">$/)])
      expect(html).toMatch(/<script[^>]*><\/script>/) // the one script has no body
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:/i)
      const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replaceAll('&#39;', "'")
      expect(meta).toBe(META_CONTENT_SECURITY_POLICY)
      // Before anything it governs.
      expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<link rel="stylesheet"'))
    }
    expect(PAGE_HEADERS['Content-Security-Policy']).toMatch(/default-src 'none'; script-src 'self'; style-src 'self';.*frame-ancestors 'none'/)
  })
})

describe('every door serves the pages with their headers', () => {
  it('Workers: wrangler.toml serves public/ as assets (run by npm run dev in the browser test)', () => {
    const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
    expect(toml).toMatch(/^\[assets\]\ndirectory = "\.\/public"$/m)
    expect(built.get('_headers')).toContain(`/*\n  Content-Security-Policy: ${PAGE_HEADERS['Content-Security-Policy']}\n`)
  })

  it('Vercel: public/ with clean URLs, and the same headers on the pages but not on the API', () => {
    const vercel = JSON.parse(readFileSync(join(ROOT, 'vercel.json'), 'utf8'))
    expect(vercel).toMatchObject({ outputDirectory: 'public', cleanUrls: true, buildCommand: '' })
    expect(vercel.headers).toHaveLength(1)
    const [rule] = vercel.headers
    expect(Object.fromEntries(rule.headers.map((x: { key: string; value: string }) => [x.key, x.value]))).toEqual(PAGE_HEADERS)
    // Vercel's source is a path-to-regexp pattern; this one is also a plain regular expression.
    const source = new RegExp(`^${rule.source}$`)
    // The pages and their files; the OpenAPI document is JSON, which no page policy concerns.
    for (const path of Object.keys(STATIC_FILES)) expect(path).toMatch(path === '/api/openapi.json' ? /^\/api\// : source)
    // The API reference page loads its own scripts: the pages' policy must not reach it.
    for (const path of ['/api/docs', '/api/openapi.json', '/api/products', '/health']) expect(path).not.toMatch(source)
  })

  describe('Node (npm start): withStaticPages in front of the app', () => {
    let harness: NodeHarness
    let server: Server
    let base: string
    beforeAll(async () => {
      harness = await startNodeHarness('web')
      const app = createApp(() => edgeDeps(harness.config))
      const port = await freePort()
      server = serve({ fetch: withStaticPages(app.fetch, PUBLIC_DIR), port, hostname: '127.0.0.1' }) as Server
      await new Promise((resolve) => server.once('listening', resolve))
      base = `http://127.0.0.1:${port}`
    }, 60_000)
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve))
      await harness?.close()
    })

    it('serves each page and asset with its type and the page headers', async () => {
      const types: Record<string, RegExp> = {
        html: /^text\/html/,
        js: /^text\/javascript/,
        css: /^text\/css/,
        svg: /^image\/svg\+xml/,
        txt: /^text\/plain/,
      }
      for (const [path, file] of Object.entries(STATIC_FILES)) {
        const res = await fetch(`${base}${path}`)
        expect(res.status, path).toBe(200)
        expect(res.headers.get('content-type'), path).toMatch(types[file.split('.').pop()!]!)
        for (const [name, value] of Object.entries(PAGE_HEADERS)) expect(res.headers.get(name), `${path} ${name}`).toBe(value)
        expect(await res.text()).toBe(readFileSync(join(PUBLIC_DIR, file), 'utf8'))
      }
      const head = await fetch(`${base}/admin`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-security-policy')).toBe(PAGE_HEADERS['Content-Security-Policy'])
    })

    it('serves the API reference with every script and icon it references from this server, under its own policy', async () => {
      const page = await fetch(`${base}/api/docs`)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-security-policy')).toBe(DOCS_CONTENT_SECURITY_POLICY)
      // Scripts from this origin only; inline styles (Scalar injects them) but no inline script.
      expect(DOCS_CONTENT_SECURITY_POLICY).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      )
      expect(page.headers.get('x-content-type-options')).toBe('nosniff')
      const html = await page.text()
      expect(html, 'no inline script').not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/)
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:/i)
      expect(html).toContain('data-url="/api/openapi.json"')
      const references = [...html.matchAll(/<(?:script|link)\b[^>]*?\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
      expect(references.sort()).toEqual(['/assets/docs.js', '/assets/scalar-api-reference.js', '/favicon.svg'])
      for (const reference of [...references, '/api/openapi.json']) {
        const url = new URL(reference, `${base}/api/docs`)
        expect(url.origin, reference).toBe(base)
        const res = await fetch(url)
        expect(res.status, reference).toBe(200)
        expect((await res.arrayBuffer()).byteLength, reference).toBeGreaterThan(0)
      }
    })

    it('leaves everything else to the API, without the pages’ policy', async () => {
      const health = await fetch(`${base}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ success: true })
      expect(health.headers.get('content-security-policy')).toBeNull()
      for (const [method, path] of [
        ['POST', '/'],
        ['GET', '/assets/missing.js'],
        ['GET', '/_headers'],
        ['GET', '/admin.html'],
        ['GET', '/package.json'],
      ]) {
        const res = await fetch(`${base}${path}`, { method })
        expect(res.status, `${method} ${path}`).toBe(404)
        expect(await res.json(), `${method} ${path}`).toMatchObject({ success: false, code: 'NOT_FOUND' })
      }
    })
  })
})

describe('refusals in plain words (web/client/refusals.ts)', () => {
  const refusal = (code: string, details: Record<string, unknown>[] = [], retryAfter?: number) =>
    new ApiError(409, code, `API text for ${code}`, details, retryAfter)

  it('has its own words for every code a shopper or the operator can meet', () => {
    const codes = [
      'INSUFFICIENT_STOCK',
      'LIMIT_EXCEEDED',
      'ADDRESS_LIMIT_EXCEEDED',
      'SALE_NOT_ACTIVE',
      'RATE_LIMITED',
      'NO_RESERVATION',
      'QUANTITY_EXCEEDS_RESERVATION',
      'AMOUNT_MISMATCH',
      'CHALLENGE_REQUIRED',
      'CHALLENGE_FAILED',
      'ADMISSION_REQUIRED',
      'ADMISSION_INVALID',
      'SOLD_OUT',
      'IDEMPOTENCY_KEY_IN_FLIGHT',
      'IDEMPOTENCY_KEY_REUSED',
      'PRODUCT_NOT_FOUND',
      'STOCK_BELOW_COMMITTED',
      'STOCK_EDIT_IN_FLIGHT',
      'UNAUTHORIZED',
      'FORBIDDEN',
      'SERVICE_UNAVAILABLE',
      'NETWORK',
      'VALIDATION_ERROR',
    ]
    const words = codes.map((code) => explain(refusal(code)))
    words.forEach((text, i) => {
      expect(text, codes[i]).not.toContain('API text')
      expect(text, codes[i]).toMatch(/^[A-Z].{10,}[.!]$/)
    })
    expect(new Set(words).size).toBe(codes.length)
    // A code the pages do not know yet is shown in the API's own words.
    expect(explain(refusal('SOMETHING_NEW'))).toBe('API text for SOMETHING_NEW')
  })

  it('uses the numbers the API sends', () => {
    expect(explain(refusal('INSUFFICIENT_STOCK', [{ product_id: '1', available: 2 }]))).toBe('Only 2 units left — try a smaller quantity.')
    expect(explain(refusal('INSUFFICIENT_STOCK', [{ product_id: '1', available: 0 }]))).toMatch(/^Sold out/)
    expect(explain(refusal('LIMIT_EXCEEDED', [{ max_per_user: 1, held: 0, bought: 1 }]))).toContain('limit of 1 unit per customer')
    expect(explain(refusal('ADDRESS_LIMIT_EXCEEDED', [{ max_held_per_address: 10, held_by_address: 10 }]))).toContain(
      'the 10 units one network may hold',
    )
    expect(explain(refusal('RATE_LIMITED', [{ scope: 'user', retry_after: 75 }], 75))).toContain('wait 1 minute 15 seconds')
    expect(explain(refusal('STOCK_BELOW_COMMITTED', [{ field: 'total_stock', minimum: 4 }]))).toContain('below the 4 units already sold or held')
    expect(explain(refusal('VALIDATION_ERROR', [{ field: 'total_stock', message: 'must be a whole number' }]))).toBe(
      'Please check: total stock must be a whole number.',
    )
    expect(explain(new ApiError(401, 'UNAUTHORIZED', 'Send the admin token as Authorization: Bearer <token>'))).toBe('Enter the admin token first.')
    expect(explain(new ApiError(403, 'FORBIDDEN', 'Wrong admin token'))).toMatch(/admin token is not the right one/)
  })
})
