import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../src/entry/worker'
import { apiContract } from '../support/api-contract'
import { checkoutContract } from '../support/checkout-contract'
import { apiClient } from '../support/client'

// The real Worker module in workerd; a config override is a changed env object,
// made once per override so the Worker parses it once, as it would in production.
const api = apiClient((overrides) => {
  const bindings = { ...env, ...overrides }
  return async (request) => {
    const ctx = createExecutionContext()
    const res = await worker.fetch(request, bindings, ctx)
    await waitOnExecutionContext(ctx)
    return res
  }
})

apiContract(() => api)
checkoutContract(() => api)
