import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../src/entry/worker'
import { apiClient, type ApiClient } from '../support/client'

/**
 * The real Worker module in workerd as an ApiClient; `bindings` change its
 * env. A config override is a changed env object, made once per override, so
 * the Worker parses it once, as it would in production.
 */
export function workerApi(bindings: Record<string, unknown> = {}): ApiClient {
  return apiClient((overrides) => {
    const all = { ...env, ...bindings, ...overrides }
    return async (request) => {
      const ctx = createExecutionContext()
      const res = await worker.fetch(request, all, ctx)
      await waitOnExecutionContext(ctx)
      return res
    }
  })
}
