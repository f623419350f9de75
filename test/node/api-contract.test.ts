import { afterAll, beforeAll } from 'vitest'
import { apiContract } from '../support/api-contract'
import { checkoutContract } from '../support/checkout-contract'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

let harness: NodeHarness
beforeAll(async () => {
  harness = await startNodeHarness('contract')
})
afterAll(() => harness?.close())

apiContract(() => harness.api)
checkoutContract(() => harness.api)
