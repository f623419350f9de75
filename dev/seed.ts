/**
 * `npm run seed`: demo products for a running `npm run dev`, made through its
 * API (POST /api/products with the admin token), so they get everything a
 * product made by an operator gets — validation, its live counters in Redis.
 * Idempotent by name: a product whose name is already in the catalogue is
 * left as it is, so a second run creates nothing.
 *
 * Where: API_URL, else the `npm run dev` that holds DEV_DATA_DIR (default
 * .data). The token: ADMIN_TOKEN, else the one `npm run dev` keeps in
 * <DEV_DATA_DIR>/admin-token.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describeFailure, StepError } from './failure'
import { pidAlive } from './instance'

/** The demo catalogue; the README's walkthrough finds these by name. */
export const DEMO_PRODUCTS = [
  {
    name: 'Demo: Vinyl box set',
    description: 'Five records, numbered sleeve',
    total_stock: 100,
    price: '45.00',
    max_per_user: 4,
  },
  {
    name: 'Demo: Festival pass',
    description: 'Three days, all stages',
    total_stock: 200,
    price: '120.00',
    max_per_user: 2,
  },
  {
    name: 'Demo: Enamel pin',
    description: 'No purchase limit',
    total_stock: 500,
    price: '6.50',
  },
] as const

interface Target {
  url: string
  token: string
}

function target(env: NodeJS.ProcessEnv): Target {
  const dataDir = env.DEV_DATA_DIR || '.data'
  let url = env.API_URL
  if (!url) {
    const lock = join(dataDir, 'dev.lock')
    const owner = existsSync(lock) ? (JSON.parse(readFileSync(lock, 'utf8')) as { pid?: number; what?: string }) : undefined
    const serving = owner?.pid !== undefined && pidAlive(owner.pid) ? /https?:\/\/\S+/.exec(owner.what ?? '')?.[0] : undefined
    if (!serving) {
      throw new StepError(
        `no npm run dev is running on ${relative(process.cwd(), dataDir) || '.'}: start \`npm run dev\` first (in another terminal), or set API_URL`,
      )
    }
    url = serving
  }
  let token = env.ADMIN_TOKEN
  if (!token) {
    const file = join(dataDir, 'admin-token')
    if (!existsSync(file)) throw new StepError(`no ADMIN_TOKEN and no ${file} (npm run dev writes it): set ADMIN_TOKEN`)
    token = readFileSync(file, 'utf8').trim()
  }
  return { url: url.replace(/\/$/, ''), token }
}

async function call(t: Target, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  let res: Response
  try {
    res = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch (err) {
    throw new StepError(`${method} ${t.url}${path}: ${describeFailure(err)}. Is npm run dev running there?`)
  }
  const json: any = await res.json().catch(() => undefined)
  if (!res.ok) {
    const why = json?.error ? `${json.error} (${json.code})` : `HTTP ${res.status}`
    throw new StepError(`${method} ${path} answered ${res.status}: ${why}`)
  }
  return { status: res.status, json }
}

/** Every product name in the catalogue, page by page. */
async function catalogueNames(t: Target): Promise<Set<string>> {
  const names = new Set<string>()
  let cursor: string | null = null
  do {
    const query: string = cursor ? `limit=100&cursor=${encodeURIComponent(cursor)}` : 'limit=100'
    const { json } = await call(t, 'GET', `/api/products?${query}`)
    for (const product of json.data.products as { name: string }[]) names.add(product.name)
    cursor = json.data.next_cursor
  } while (cursor)
  return names
}

export async function seed(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): Promise<number> {
  const t = target(env)
  const existing = await catalogueNames(t)
  let created = 0
  for (const product of DEMO_PRODUCTS) {
    if (existing.has(product.name)) {
      log(`  kept     ${product.name}`)
      continue
    }
    const { json } = await call(t, 'POST', '/api/products', product)
    log(`  created  ${product.name} (id ${json.data.id})`)
    created++
  }
  log(`seed: ${created} created, ${DEMO_PRODUCTS.length - created} already there, on ${t.url}`)
  return created
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await seed()
  } catch (err) {
    console.error(`npm run seed: ${err instanceof StepError ? err.message : describeFailure(err)}`)
    process.exit(1)
  }
}
