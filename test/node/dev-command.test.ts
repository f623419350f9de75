import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { ROOT } from '../../dev/paths'
import { freePort } from '../../dev/redis'
import { TEST_ADMIN_TOKEN } from '../support/client'
import { dropPrefix, testPrefix } from '../support/redis'

/** Every live descendant of `pid`, read from /proc. */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>()
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (ppid) parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)])
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length) for (const child of parents.get(queue.shift()!) ?? []) found.push(child), queue.push(child)
  return found
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const prefix = testPrefix('dev')
let dataDir = ''
afterAll(async () => {
  await dropPrefix(prefix)
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

it('`npm run dev` serves /health, then Ctrl-C stops everything it started', { timeout: 150_000 }, async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fd-dev-'))
  const port = await freePort()
  const started = Date.now()
  const dev = spawn('npm', ['run', 'dev'], {
    cwd: ROOT,
    detached: true, // its own process group, as a terminal gives it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), REDIS_TTL: '2', ADMIN_TOKEN: TEST_ADMIN_TOKEN, DEV_DATA_DIR: join(dataDir, 'fresh', '.data'), REDIS_PREFIX: prefix, DATABASE_URL: '', UPSTASH_REDIS_REST_URL: '' },
  })
  let output = ''
  dev.stdout.on('data', (d) => (output += d))
  dev.stderr.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)))

  let health: Response | undefined
  while (Date.now() - started < 120_000 && dev.exitCode === null) {
    health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined)
    if (health?.status === 200) break
    await new Promise((r) => setTimeout(r, 500))
  }
  expect(health?.status, output).toBe(200)
  expect(await health!.json()).toMatchObject({ success: true, data: { dependencies: { redis: { status: 'up' }, postgres: { status: 'up' } } } })
  console.log(`dev command: /health 200 after ${Date.now() - started} ms`)

  // REDIS_TTL given to the dev command reaches the Worker: holds last 2 s.
  const post = (path: string, body: unknown) =>
    fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, body: JSON.stringify(body) })
  const product = (await (await post('/api/products', { name: 'Dev item', total_stock: 3 })).json()) as any
  const hold = (await (await post('/api/reserve', { user_id: 'dev-user', product_id: product.data.id, quantity: 1 })).json()) as any
  const lifetime = Date.parse(hold.data.expires_at) - Date.now()
  expect(lifetime).toBeGreaterThan(500)
  expect(lifetime).toBeLessThanOrEqual(2000)

  const tree = await descendants(dev.pid!)
  expect(tree.length).toBeGreaterThan(2) // npm → tsx → node → wrangler → workerd …
  process.kill(-dev.pid!, 'SIGINT')
  await exited
  // npm returns at once; what it started shuts down behind it (servers closed, wrangler's group stopped).
  for (let i = 0; i < 100 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 100))
  const left = tree.filter(alive).map((pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`)
  expect(left, output).toEqual([])
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow()
})
