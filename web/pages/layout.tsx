import type { Child } from 'hono/jsx'
import { META_CONTENT_SECURITY_POLICY } from '../headers'

export interface LayoutProps {
  title: string
  /** the page's one script, a module from /assets */
  script: string
  current: '/' | '/admin'
  children: Child
}

/** The frame of both pages: no inline script or style anywhere (the policy forbids both). */
export function Layout({ title, script, current, children }: LayoutProps) {
  const link = (href: LayoutProps['current'], label: string) => (
    <a href={href} aria-current={href === current ? 'page' : undefined}>
      {label}
    </a>
  )
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content={META_CONTENT_SECURITY_POLICY} />
        <meta name="referrer" content="no-referrer" />
        <title>{title}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/site.css" />
        <script type="module" src={script}></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Flash Deal
          </a>
          <nav aria-label="Views">
            {link('/', 'Storefront')}
            {link('/admin', 'Operator')}
          </nav>
        </header>
        <main id="main" tabindex={-1}>
          {children}
          <noscript>
            <p class="msg" data-tone="error">
              This page needs JavaScript. The API itself is described at /api/docs.
            </p>
          </noscript>
        </main>
        <footer class="bottom">
          <p>
            The API behind this page: <a href="/api/docs">reference</a> · <a href="/api/openapi.json">OpenAPI</a>
          </p>
        </footer>
      </body>
    </html>
  )
}
