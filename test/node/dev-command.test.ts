import { existsSync, readFileSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { devVarsOwner, pidAlive } from '../../dev/instance'
import { DEV_VARS } from '../../dev/paths'
import { freePort } from '../../dev/redis'
import { alive, deadPid, descendants, npmRun, npmRunToEnd, STACK_LINE } from '../support/commands'
import { dropPrefix, testPrefix } from '../support/redis'

const prefix = testPrefix('dev')
const scratch = await mkdtemp(join(tmpdir(), 'fd-dev-'))
afterAll(async () => {
  await dropPrefix(prefix)
  await rm(scratch, { recursive: true, force: true })
})

/** What npm run dev must leave alone when it refuses to start: .dev.vars as it was. */
const devVarsNow = () => (existsSync(DEV_VARS) ? readFileSync(DEV_VARS, 'utf8') : undefined)
/** Variables a developer might have exported, which would change what these runs mean. */
const clean = {
  DATABASE_URL: undefined,
  UPSTASH_REDIS_REST_URL: undefined,
  UPSTASH_REDIS_REST_TOKEN: undefined,
  REDIS_URL: undefined,
  LOCAL_STORE_RTT_MS: undefined,
}

describe('npm run dev refuses what cannot work, in one line, before it writes anything', () => {
  it('names the variable and the step', { timeout: 120_000 }, async () => {
    const busy: Server = createServer()
    const busyPort = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)))
    const [deadRedis, deadPostgres, port] = [await freePort(), await freePort(), await freePort()]
    const devVarsBefore = devVarsNow()
    const cases: { env: Record<string, string>; says: string; touchesData: boolean }[] = [
      { env: { PORT: String(busyPort) }, says: `PORT ${busyPort} is already in use on 127.0.0.1`, touchesData: false },
      { env: { PORT: '70000' }, says: 'PORT must be a whole number from 1 to 65535', touchesData: false },
      {
        env: { DATABASE_URL: 'postgress://postgres@127.0.0.1:5432/x' },
        says: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
        touchesData: false,
      },
      { env: { CORS_ORIGINS: 'localhost:5173' }, says: '"localhost:5173" (write http://localhost:5173)', touchesData: false },
      { env: { LOCAL_STORE_RTT_MS: 'fast' }, says: 'LOCAL_STORE_RTT_MS must be a whole number from 0 to 10000', touchesData: false },
      {
        env: { REDIS_URL: `redis://127.0.0.1:${deadRedis}` },
        says: `REDIS_URL (redis://127.0.0.1:${deadRedis}) does not answer: connection refused`,
        touchesData: true,
      },
      {
        env: { DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${deadPostgres}/x` },
        says: `DATABASE_URL (postgres://postgres:***@127.0.0.1:${deadPostgres}/x): applying the migrations: connection refused`,
        touchesData: true,
      },
    ]
    try {
      const runs = await Promise.all(
        cases.map(async ({ env }, i) => {
          const dataDir = join(scratch, `refused-${i}`, '.data')
          return { dataDir, ...(await npmRunToEnd('dev', { ...clean, PORT: String(port), DEV_DATA_DIR: dataDir, ...env })) }
        }),
      )
      runs.forEach(({ code, output, dataDir }, i) => {
        const { says, touchesData } = cases[i]!
        expect(code, output).not.toBe(0)
        expect(output).toMatch(/^npm run dev: /m)
        expect(output).toContain(says)
        expect(output).not.toMatch(STACK_LINE)
        expect(output).not.toMatch(/Too big|Invalid input|expected number/)
        expect(output).not.toContain('Flash Deal is running')
        // Validation and the port come first: nothing is created. Later steps leave no lock behind.
        if (touchesData) expect(existsSync(join(dataDir, 'dev.lock'))).toBe(false)
        else expect(existsSync(dataDir)).toBe(false)
      })
      expect(devVarsNow()).toBe(devVarsBefore)
    } finally {
      busy.close()
    }
  })
})

describe('npm run dev', () => {
  it('serves its own Worker, then Ctrl-C stops everything it started', { timeout: 180_000 }, async () => {
    const dataDir = join(scratch, 'fresh', '.data')
    // A lock left by an instance that is gone is taken over.
    await mkdir(dataDir, { recursive: true })
    await writeFile(join(dataDir, 'dev.lock'), JSON.stringify({ pid: await deadPid(), what: 'npm run dev on a crashed run' }))
    // Reaches the Worker intact through wrangler's env file ($ is expanded there, quotes end values).
    const adminToken = `adm-$HOME-'single'-"double"-#-${prefix}`
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const devVarsBefore = devVarsNow()
    const foreignOwner = devVarsBefore === undefined ? undefined : devVarsOwner(devVarsBefore)
    const devVarsTaken = foreignOwner !== undefined && pidAlive(foreignOwner)
    const started = Date.now()
    const dev = npmRun('dev', {
      ...clean,
      PORT: String(port),
      REDIS_TTL: '2',
      ADMIN_TOKEN: adminToken,
      DEV_DATA_DIR: dataDir,
      REDIS_PREFIX: prefix,
      LOCAL_STORE_RTT_MS: '100',
    })

    while (Date.now() - started < 150_000 && dev.child.exitCode === null && !dev.output().includes('Flash Deal is running')) {
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(dev.output()).toContain(`Flash Deal is running on ${url}`)
    console.log(`dev command: running after ${Date.now() - started} ms`)
    const timed = performance.now()
    const health = await fetch(`${url}/health`)
    // Both stores answer through the local servers, each 100 ms late (LOCAL_STORE_RTT_MS).
    expect(performance.now() - timed).toBeGreaterThanOrEqual(100)
    expect(await health.json()).toMatchObject({ success: true, data: { dependencies: { redis: { status: 'up' }, postgres: { status: 'up' } } } })

    // .dev.vars: written once serving, readable by its owner only (unless another running instance owns it).
    if (devVarsTaken) {
      expect(devVarsNow()).toBe(devVarsBefore)
      expect(dev.output()).toContain(`belongs to the npm run dev with pid ${foreignOwner}`)
    } else {
      expect(devVarsNow()).toContain(`serving ${url} with its data in ${dataDir}`)
      expect(statSync(DEV_VARS).mode & 0o777).toBe(0o600)
    }
    expect(statSync(join(dataDir, 'worker.env')).mode & 0o777).toBe(0o600)

    // ADMIN_TOKEN and REDIS_TTL given to the dev command reach the Worker: holds last 2 s.
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify(body),
      })
    const created = await post('/api/products', { name: 'Dev item', total_stock: 3 })
    expect(created.status).toBe(201)
    const product = (await created.json()) as any
    const hold = (await (await post('/api/reserve', { user_id: 'dev-user', product_id: product.data.id, quantity: 1 })).json()) as any
    const lifetime = Date.parse(hold.data.expires_at) - Date.now()
    expect(lifetime).toBeGreaterThan(500)
    expect(lifetime).toBeLessThanOrEqual(2000)

    // A second instance on the same data folder is refused, naming the first.
    const second = await npmRunToEnd('dev', { ...clean, PORT: String(await freePort()), DEV_DATA_DIR: dataDir })
    expect(second.code).not.toBe(0)
    expect(second.output).toMatch(new RegExp(`is in use by npm run dev on ${url} \\(pid \\d+\\)`))
    expect(second.output).not.toMatch(STACK_LINE)

    if (!devVarsTaken) {
      const reconciled = await npmRunToEnd('reconcile:dev', clean)
      expect(reconciled.code, reconciled.output).toBe(0)
      expect(reconciled.output).toContain('"event":"reconcile"')
    }

    // One line per request (the app's JSON line), and no offline Request.cf warning.
    await new Promise((r) => setTimeout(r, 500)) // let the last lines through
    const output = dev.output()
    expect(output.match(/"route":"\/api\/products","status":201/g)).toHaveLength(1)
    expect(output).not.toMatch(/\[wrangler:info\] POST \/api\/products/)
    expect(output).not.toContain('Request.cf')

    const tree = await descendants(dev.child.pid!)
    expect(tree.length).toBeGreaterThan(2) // npm → tsx → node → wrangler → workerd …
    process.kill(-dev.child.pid!, 'SIGINT')
    await dev.exited
    // npm returns at once; what it started shuts down behind it (servers closed, wrangler's group stopped).
    for (let i = 0; i < 100 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 100))
    const left = tree.filter(alive).map((pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`)
    expect(left, dev.output()).toEqual([])
    await expect(fetch(`${url}/health`)).rejects.toThrow()
    expect(existsSync(join(dataDir, 'dev.lock'))).toBe(false)
    expect(existsSync(join(dataDir, 'worker.env'))).toBe(false)
    expect(devVarsNow()).toBe(devVarsTaken ? devVarsBefore : undefined)
  })
})
