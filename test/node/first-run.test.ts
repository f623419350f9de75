import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../dev/paths'
import { freePort } from '../../dev/redis'
import { DEMO_PRODUCTS } from '../../dev/seed'
import { COLLECTION_FILE } from '../../scripts/postman'
import { npmRun, npmRunToEnd, type Running, STACK_LINE } from '../support/commands'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { dropPrefix, testPrefix } from '../support/redis'

// A newcomer's first run against `npm run dev` with the default limits:
// `npm run seed` (twice), the README's shell block taken from README.md as it
// is and run by bash, then the Postman collection run by newman (twice).
// Each must end in an order.

const MARKER = '<!-- test/node/first-run.test.ts runs the next block as it is'

/** The ```sh block right after the marker comment in README.md. */
function walkthroughBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const at = readme.indexOf(MARKER)
  if (at < 0) throw new Error(`README.md has no "${MARKER}" comment`)
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(readme.slice(at))
  if (!block) throw new Error('no ```sh block after the marker')
  return block[1]!
}

function runCommand(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

const prefix = testPrefix('readme')
let db: TestDatabase | undefined
let scratch = ''
let dataDir = ''
let dev: Running | undefined
let base = ''

beforeAll(async () => {
  db = await createTestDatabase('readme')
  scratch = await mkdtemp(join(tmpdir(), 'fd-readme-'))
  dataDir = join(scratch, '.data')
  base = `http://127.0.0.1:${await freePort()}`
  dev = npmRun('dev', {
    // Only what makes this run its own: its port, data folder (with its admin token), database and Redis namespace.
    PORT: new URL(base).port,
    DEV_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    // The defaults, whatever this shell has exported.
    ADMIN_TOKEN: undefined,
    UPSTASH_REDIS_REST_URL: undefined,
    UPSTASH_REDIS_REST_TOKEN: undefined,
    REDIS_URL: undefined,
    LOCAL_STORE_RTT_MS: undefined,
    REDIS_TTL: undefined,
    HOLD_MAX_SECONDS: undefined,
    RATE_LIMIT_WINDOW_MS: undefined,
    RATE_LIMIT_MAX_REQUESTS: undefined,
    USER_RATE_LIMIT_WINDOW_MS: undefined,
    USER_RATE_LIMIT_MAX_REQUESTS: undefined,
    MAX_HELD_PER_ADDRESS: undefined,
    TURNSTILE_SECRET_KEY: undefined,
    JWT_SECRET: undefined,
    JWT_JWKS_URL: undefined,
  })
  const started = Date.now()
  while (Date.now() - started < 170_000 && dev.child.exitCode === null && !dev.output().includes('Flash Deal is running')) {
    await new Promise((r) => setTimeout(r, 250))
  }
  expect(dev.output()).toContain(`Flash Deal is running on ${base}`)
}, 200_000)

afterAll(async () => {
  if (dev?.child.pid && dev.child.exitCode === null) {
    process.kill(-dev.child.pid, 'SIGINT')
    await dev.exited
  }
  await dropPrefix(prefix)
  await db?.drop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

describe("README's walkthrough, against npm run dev", () => {
  it('npm run seed makes the demo products once; a second run creates nothing', { timeout: 60_000 }, async () => {
    // It finds the running npm run dev through the data folder's lock, and the token in it.
    const first = await npmRunToEnd('seed', { DEV_DATA_DIR: dataDir, API_URL: undefined, ADMIN_TOKEN: undefined })
    expect(first.code, first.output).toBe(0)
    expect(first.output).toContain(`seed: 3 created, 0 already there, on ${base}`)
    const second = await npmRunToEnd('seed', { DEV_DATA_DIR: dataDir, API_URL: undefined, ADMIN_TOKEN: undefined })
    expect(second.code, second.output).toBe(0)
    expect(second.output).toContain(`seed: 0 created, 3 already there, on ${base}`)
    const catalogue = (await (await fetch(`${base}/api/products?limit=100`)).json()) as any
    const names = catalogue.data.products.map((p: { name: string }) => p.name).sort()
    expect(names).toEqual(DEMO_PRODUCTS.map((p) => p.name).sort())

    // Without a running npm run dev it says what to do, in one line.
    const nowhere = await npmRunToEnd('seed', { DEV_DATA_DIR: join(scratch, 'none'), API_URL: undefined })
    expect(nowhere.code).not.toBe(0)
    expect(nowhere.output).toContain('npm run seed: no npm run dev is running on')
    expect(nowhere.output).not.toMatch(STACK_LINE)
  })

  it('runs as it is and ends with an order in the listing', { timeout: 60_000 }, async () => {
    // -e -u -o pipefail: a step that fails, or an unset variable, stops the walkthrough where it broke.
    const run = await runCommand('bash', ['-euo', 'pipefail', '-c', walkthroughBlock()], { API_URL: base, DEV_DATA_DIR: dataDir })
    const report = `${run.stdout}\n${run.stderr}`
    expect(run.code, report).toBe(0)
    expect(run.stderr, report).toBe('')
    expect(run.stdout, 'no step was refused').not.toContain('"success":false')
    const lines = run.stdout.trim().split('\n')

    // Each step answered: the product, its counters, the restock, the holds, the release, the order, the replay.
    const answers = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
    const product = answers[0].data
    expect(product).toMatchObject({ name: 'Sneaker drop', total_stock: 100, price: '89.90', max_per_user: 2 })
    expect(answers[1].data).toMatchObject({ product_id: product.id, available_stock: 100 })
    expect(answers[2].data).toMatchObject({ id: product.id, total_stock: 150 })
    expect(answers[3].data).toMatchObject({ product_id: product.id, quantity: 2 })
    expect(answers[4].data).toHaveLength(2)
    expect(answers[5].data).toHaveLength(3)
    expect(answers[6].data).toEqual({ released: 1 })
    const order = answers[7].data
    expect(order).toMatchObject({ product_id: product.id, quantity: 2, total_amount: '179.80', status: 'confirmed' })
    expect(lines).toContainEqual(expect.stringMatching(/^idempotent-replayed: true\r?$/i))

    // The last line: the listing, with that one order (the retry bought nothing more).
    const listing = JSON.parse(lines.at(-1)!)
    expect(listing).toEqual({ success: true, data: { orders: [order], next_cursor: null } })
    const status = (await (await fetch(`${base}/api/products/${product.id}/status`)).json()) as any
    expect(status.data).toMatchObject({ total_stock: 150, sold: 2, reserved_stock: 0, available_stock: 148 })
  })
})

describe('the Postman collection, run by newman against npm run dev', () => {
  it('passes every assertion of every request and ends with the order in the listing, run after run', { timeout: 120_000 }, async () => {
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
    for (const round of [1, 2]) {
      const report = join(scratch, `newman-${round}.json`)
      const newman = await runCommand(join(ROOT, 'node_modules/.bin/newman'), [
        'run',
        COLLECTION_FILE,
        '--env-var',
        `baseUrl=${base}`,
        '--env-var',
        `adminToken=${adminToken}`,
        '--reporters',
        'cli,json',
        '--reporter-json-export',
        report,
        '--color',
        'off',
      ])
      expect(newman.code, newman.stdout + newman.stderr).toBe(0)
      const { run } = JSON.parse(await readFile(report, 'utf8'))
      expect(run.failures, newman.stdout).toEqual([])
      type Execution = {
        cursor: { httpRequestId: string }
        item: { name: string }
        request: { header: { key: string; value: string }[] }
        assertions?: { assertion: string; error?: unknown }[]
      }
      // newman's JSON report lists an item whose pre-request script sends a
      // request (pm.sendRequest) twice, with the same httpRequestId: one each.
      const executions = (run.executions as Execution[]).filter(
        (e, i, all) => all.findIndex((other) => other.cursor.httpRequestId === e.cursor.httpRequestId) === i,
      )
      const names = executions.map((e) => e.item.name)
      expect(names.slice(0, 12)).toEqual([
        'Whether Redis and Postgres answer',
        'The catalogue',
        'Create a product',
        'Get a product',
        'Restock or reduce a product, or change its waiting room',
        'Live stock counters',
        'Hold units of a product',
        'Hold several products at once',
        'Cancel a hold',
        'Buy held units',
        "A user's holds",
        "A user's orders",
      ])
      // Then a place in a new line, polled until the turn came (50 are let in a second: a few polls).
      expect(names[12]).toBe("Take a place in a product's waiting room")
      const polls = names.slice(13)
      expect(polls.length).toBeGreaterThanOrEqual(1)
      expect(polls.length).toBeLessThan(50)
      expect(new Set(polls)).toEqual(new Set(['Where a place in line stands']))
      expect(executions.at(-1)!.assertions!.map((a) => a.assertion)).toContain('let in, with an admission token')
      for (const e of executions) {
        // Its status, its shape, and at least one check of what it did.
        expect(e.assertions?.length, e.item.name).toBeGreaterThanOrEqual(3)
        expect(
          e.assertions!.filter((a) => a.error),
          e.item.name,
        ).toEqual([])
      }
      expect(run.stats.assertions.failed).toBe(0)
      expect(run.stats.assertions.total).toBeGreaterThanOrEqual(executions.length * 3)
      const key = executions[9]!.request.header.find((h) => h.key === 'Idempotency-Key')?.value
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    }
    // Two runs, two products, two orders for the collection's shopper.
    const orders = (await (await fetch(`${base}/api/users/postman-alice/orders?limit=20`)).json()) as any
    expect(orders.data.orders).toHaveLength(2)
    expect(orders.data.orders.every((o: { quantity: number; status: string }) => o.quantity === 2 && o.status === 'confirmed')).toBe(true)
  })
})
