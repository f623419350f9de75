import { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { dropDayContract } from '../support/drop-day-contract'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { REDIS_URL } from '../support/redis'
import { redisInspector } from '../support/redis-inspector'

let h: NodeHarness
let redis: Redis
beforeAll(async () => {
  h = await startNodeHarness('drop')
  redis = new Redis(REDIS_URL)
})
afterAll(async () => {
  redis?.disconnect()
  await h?.close()
})

dropDayContract(
  () => h.api,
  () => redisInspector(h.prefix, (command) => redis.call(String(command[0]), ...command.slice(1))),
)
