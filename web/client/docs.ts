/**
 * Starts the API reference at /api/docs (src/routes/docs.ts) with the Scalar
 * bundle the page loads just before this file, from this origin: no CDN, no
 * fonts, no telemetry, no AI chat or MCP (they would call Scalar's servers):
 * nothing fetched from anywhere else (the page's policy forbids it too).
 */
declare const Scalar: { createApiReference(target: Element, configuration: Record<string, unknown>): unknown }

const target = document.getElementById('app')
if (target?.dataset.url) {
  Scalar.createApiReference(target, {
    url: target.dataset.url,
    withDefaultFonts: false,
    telemetry: false,
    showDeveloperTools: 'never',
    documentDownloadType: 'json',
    agent: { disabled: true },
    mcp: { disabled: true },
  })
}
