import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dotenvFile } from '../../dev/dotenv'
import { devVarsHeader } from '../../dev/instance'
import { startLocalStack, type LocalStack } from '../../dev/local-stack'
import { freePort } from '../../dev/redis'
import { deadPid, npmRunToEnd, STACK_LINE } from '../support/commands'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { dropPrefix, REDIS_URL, testPrefix } from '../support/redis'

const none = { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined, DATABASE_URL: undefined }
const prefix = testPrefix('rec')
let scratch = ''
let db: TestDatabase
let stack: LocalStack

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'fd-reconcile-'))
  db = await createTestDatabase('rec')
  stack = await startLocalStack({ redisUrl: REDIS_URL, database: { kind: 'postgres', url: db.url }, migrate: false })
})

afterAll(async () => {
  await stack?.close()
  await dropPrefix(prefix)
  await db?.drop()
  await rm(scratch, { recursive: true, force: true })
})

describe('npm run reconcile and reconcile:dev say what to do, without a stack trace', () => {
  it('names the variables to set, or reconcile:dev, when there are none', async () => {
    const { code, output } = await npmRunToEnd('reconcile', none)
    expect(code).toBe(1)
    expect(output).toContain('set UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN, DATABASE_URL')
    expect(output).toContain('npm run reconcile:dev')
    expect(output).not.toMatch(STACK_LINE)
  })

  it('names the store that does not answer and its variable', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`
    const { code, output } = await npmRunToEnd('reconcile', {
      ...none,
      UPSTASH_REDIS_REST_URL: dead,
      UPSTASH_REDIS_REST_TOKEN: 't',
      DATABASE_URL: stack.vars.DATABASE_URL,
      NEON_FETCH_ENDPOINT: stack.vars.NEON_FETCH_ENDPOINT,
    })
    expect(code).toBe(1)
    expect(output).toContain(`reconcile failed: Redis at UPSTASH_REDIS_REST_URL (${dead}) did not answer`)
    expect(output).not.toMatch(STACK_LINE)
  })

  it('reconcile:dev asks for npm run dev first when there is no .dev.vars, or its writer is gone', async () => {
    const absent = await npmRunToEnd('reconcile:dev', none, [join(scratch, 'absent.vars')])
    expect(absent.code).toBe(1)
    expect(absent.output).toContain('Start `npm run dev` first')

    const stale = join(scratch, 'stale.vars')
    await writeFile(
      stale,
      `# Written by npm run dev (pid ${await deadPid()}) serving http://127.0.0.1:1 with its data in /x.\nDATABASE_URL='postgres://gone'\n`,
    )
    const gone = await npmRunToEnd('reconcile:dev', none, [stale])
    expect(gone.code).toBe(1)
    expect(gone.output).toMatch(/pid \d+\) that is no longer running\. Start `npm run dev` first/)
    for (const run of [absent, gone]) expect(run.output).not.toMatch(STACK_LINE)
  })

  it('reconcile:dev runs against the stores its .dev.vars names, over the shell’s own', async () => {
    const file = join(scratch, 'live.vars')
    await writeFile(file, dotenvFile({ ...stack.vars, REDIS_PREFIX: prefix }, devVarsHeader('http://127.0.0.1:1', scratch), false))
    const { code, output } = await npmRunToEnd(
      'reconcile:dev',
      { UPSTASH_REDIS_REST_URL: 'https://production.example', UPSTASH_REDIS_REST_TOKEN: 'x', DATABASE_URL: 'postgres://prod/db' },
      [file],
    )
    expect(code, output).toBe(0)
    expect(output).toContain('"event":"reconcile"')
  })
})
