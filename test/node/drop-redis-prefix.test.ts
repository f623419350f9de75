import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ROOT } from '../../dev/paths'
import { startUpstashServer, type UpstashServer } from '../../dev/upstash/server'
import { dropPrefix, REDIS_URL, testPrefix } from '../support/redis'

const [doomed, kept] = [testPrefix('drop'), testPrefix('keep')]
const token = 'drop-test-token'
let upstash: UpstashServer | undefined
const redis = new Redis(REDIS_URL)

beforeAll(async () => {
  upstash = await startUpstashServer({ redisUrl: REDIS_URL, token })
})
afterAll(async () => {
  await upstash?.close()
  await Promise.all([dropPrefix(doomed), dropPrefix(kept), redis.del(`${doomed}:loose`)])
  redis.disconnect()
})

function drop(prefix: string) {
  return promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/drop-redis-prefix.ts', prefix], {
    cwd: ROOT,
    env: { ...process.env, UPSTASH_REDIS_REST_URL: upstash!.url, UPSTASH_REDIS_REST_TOKEN: token },
  })
}

it("deletes every key of one namespace over Upstash REST, and nothing else's", async () => {
  const keys = Array.from({ length: 2500 }, (_, i) => `{${doomed}}:p:${i}`)
  for (let i = 0; i < keys.length; i += 500) await redis.mset(...keys.slice(i, i + 500).flatMap((k) => [k, '1']))
  await redis.set(`{${kept}}:p:1`, '1')
  await redis.set(`${doomed}:loose`, '1') // not in the namespace's braces: not its key

  const { stdout } = await drop(doomed)
  expect(stdout).toMatch(/2500 key\(s\)/)
  expect(await redis.exists(keys[0]!, keys[2499]!)).toBe(0)
  expect(await redis.exists(`{${kept}}:p:1`, `${doomed}:loose`)).toBe(2)
})

it('refuses the production namespace and anything that is not a plain prefix', async () => {
  for (const bad of ['fd', '*', 'a}b', '']) {
    await expect(drop(bad), bad).rejects.toMatchObject({ code: 2 })
  }
})
