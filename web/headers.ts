/**
 * The security headers of the storefront and operator pages, defined once:
 * web/build.ts writes them to public/_headers (Workers assets and Pages) and
 * into each page as a <meta> policy, src/self-host/static-pages.ts sends them
 * from Node, and a test holds vercel.json's `headers` to them.
 */

/** Scripts, styles, images and API calls from this origin only; no inline script or style, no plugins, no framing. */
const POLICY: [directive: string, value: string][] = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self'"],
  ['connect-src', "'self'"],
  ['form-action', "'self'"],
  ['base-uri', "'none'"],
  ['frame-ancestors', "'none'"],
]

export const CONTENT_SECURITY_POLICY = POLICY.map((d) => d.join(' ')).join('; ')

/** Browsers ignore frame-ancestors in a <meta> policy (and say so in the console): the headers carry it. */
export const META_CONTENT_SECURITY_POLICY = POLICY.filter(([name]) => name !== 'frame-ancestors')
  .map((d) => d.join(' '))
  .join('; ')

/**
 * The API reference (/api/docs, served by the app): the pages' policy, but
 * the Scalar bundle injects style elements and style attributes (inline
 * styles, never inline script) and shows `data:` images. Its scripts and
 * its try-it requests stay on this origin.
 */
export const DOCS_CONTENT_SECURITY_POLICY = POLICY.map(([name, value]) => {
  if (name === 'style-src') return `${name} ${value} 'unsafe-inline'`
  if (name === 'img-src') return `${name} ${value} data:`
  return `${name} ${value}`
}).join('; ')

export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
}

/** The API reference's renderer: @scalar/api-reference's standalone bundle, copied as is by web/build.ts. */
export const SCALAR_BUNDLE = 'assets/scalar-api-reference.js'

/** The pages and the files they load, as URL paths, with the file in public/ each one is. */
export const STATIC_FILES: Record<string, string> = {
  '/': 'index.html',
  '/admin': 'admin.html',
  '/assets/storefront.js': 'assets/storefront.js',
  '/assets/admin.js': 'assets/admin.js',
  '/assets/site.css': 'assets/site.css',
  '/assets/docs.js': 'assets/docs.js',
  [`/${SCALAR_BUNDLE}`]: SCALAR_BUNDLE,
  '/favicon.svg': 'favicon.svg',
  '/robots.txt': 'robots.txt',
  // The OpenAPI document, written by `npm run openapi`.
  '/api/openapi.json': 'api/openapi.json',
}

/** public/_headers (Cloudflare's format): every static file gets the page headers. */
export function headersFile(): string {
  const lines = Object.entries(PAGE_HEADERS).map(([name, value]) => `  ${name}: ${value}`)
  return ['# Written by web/build.ts from web/headers.ts; Workers assets and Pages apply it to static files only.', '/*', ...lines, ''].join('\n')
}
