import { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { startNodeHarness, type NodeHarness } from '../support/node-app'
import { REDIS_URL } from '../support/redis'
import { redisInspector } from '../support/redis-inspector'
import { waitingRoomContract } from '../support/waiting-room-contract'

let h: NodeHarness
let redis: Redis
beforeAll(async () => {
  h = await startNodeHarness('queue')
  redis = new Redis(REDIS_URL)
})
afterAll(async () => {
  redis?.disconnect()
  await h?.close()
})

waitingRoomContract(
  () => h.api,
  () => redisInspector(h.prefix, (command) => redis.call(String(command[0]), ...command.slice(1))),
)
