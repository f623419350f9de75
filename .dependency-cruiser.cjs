/**
 * The layers of src/ (docs/architecture.md, "Layers"), checked by
 * `npm run lint:deps`: each rule names what a layer may not import.
 */
const HTTP_SIDE = '^src/(routes|http|middleware|schemas|openapi)/'

module.exports = {
  forbidden: [
    {
      name: 'stores-know-no-http',
      comment: 'The engine and db talk to their store only: no routes, HTTP helpers, wire schemas, OpenAPI, services or hono.',
      severity: 'error',
      from: { path: '^src/(engine|db)/' },
      to: { path: [HTTP_SIDE, '^src/services/', '^node_modules/(hono|hono-openapi|@hono)/'] },
    },
    {
      name: 'services-know-no-wire',
      comment: 'Services take and give plain values: no wire schemas, views, envelopes, routes, middleware or hono.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: [HTTP_SIDE, '^src/errors/envelope\\.ts$', '^node_modules/(hono|hono-openapi|@hono)/'] },
    },
    {
      name: 'domain-errors-know-no-hono',
      comment: 'Errors with a code (and the store-unavailable one) are thrown by every layer: they import no hono.',
      severity: 'error',
      from: { path: '^src/errors/' },
      to: { path: ['^node_modules/(hono|hono-openapi|@hono)/', HTTP_SIDE, '^src/services/'] },
    },
    {
      name: 'libraries-stay-small',
      comment: 'lib/ and limits/ are helpers: they import none of the layers above them.',
      severity: 'error',
      from: { path: '^src/(lib|limits)/' },
      to: { path: [HTTP_SIDE, '^src/(services|engine|db|entry)/'] },
    },
    {
      name: 'no-openapi-at-run-time',
      comment: 'The OpenAPI document is made at build time (npm run openapi); the app serves the JSON and loads no generator.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/openapi/' },
      to: { path: ['^src/openapi/.*\\.ts$', '^node_modules/hono-openapi/'] },
    },
    {
      name: 'entries-are-leaves',
      comment: 'src/entry/ holds the doors (Worker, Pages, Vercel, Node, CLI); nothing in src/ imports them.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/entry/' },
      to: { path: '^src/entry/' },
    },
    {
      name: 'src-stands-alone',
      comment: 'The app never imports the dev tools, tests, benchmarks or scripts.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(dev|test|bench|scripts)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
