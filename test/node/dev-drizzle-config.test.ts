import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ROOT } from '../../dev/paths'
import { createTestDatabase, type TestDatabase } from '../support/postgres'

const drizzleKit = (args: string[], env: Record<string, string | undefined>) =>
  promisify(execFile)(join(ROOT, 'node_modules/.bin/drizzle-kit'), args, { cwd: ROOT, env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
  )

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('drizzle', { migrate: false })
})
afterAll(async () => {
  await db?.drop()
})

it('drizzle-kit migrate says to set DATABASE_URL when it is unset', { timeout: 60_000 }, async () => {
  const { code, output } = await drizzleKit(['migrate'], { DATABASE_URL: undefined })
  expect(code).toBe(1)
  expect(output).toContain('drizzle-kit migrate needs DATABASE_URL, which is not set')
})

it('drizzle-kit migrate applies the migrations to DATABASE_URL', { timeout: 60_000 }, async () => {
  const { code, output } = await drizzleKit(['migrate'], { DATABASE_URL: db.url })
  expect(code, output).toBe(0)
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)
    expect(tables.rows.map((r) => r.table_name)).toEqual(['orders', 'products'])
  } finally {
    await client.end()
  }
})
