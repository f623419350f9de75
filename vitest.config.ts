import { readFileSync } from 'node:fs'
import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

// Three projects: `unit` needs no store; `node` runs the dev servers, the
// engine and the app through Node; `workers` runs the real Worker inside
// workerd. The last two talk to the real Redis and Postgres of the machine,
// never to mocks.
const COMPATIBILITY_DATE = readFileSync('wrangler.toml', 'utf8').match(/^compatibility_date = "(.+)"$/m)![1]!

export default defineConfig({
  test: {
    // Runs in plain Node, not through the workers project's runner (which
    // inlines every dependency for workerd, ioredis too): starts the local
    // services the Worker under test talks to, when the workers project runs.
    globalSetup: ['./test/support/workers-global-setup.ts'],
    projects: [
      {
        // No store at all: `npm run test:unit`.
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [
          // Not wrangler.toml: it would also load the .dev.vars that `npm run dev`
          // writes, and a developer's dev settings must not leak into tests.
          cloudflareTest(({ inject }) => ({
            main: './src/entry/worker.ts',
            miniflare: { compatibilityDate: COMPATIBILITY_DATE, bindings: inject('workerVars') },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
