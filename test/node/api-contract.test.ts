import { afterAll, beforeAll } from 'vitest'
import { apiContract } from '../support/api-contract'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

let harness: NodeHarness
beforeAll(async () => {
  harness = await startNodeHarness('contract')
})
afterAll(() => harness?.close())

apiContract(() => harness.api)
