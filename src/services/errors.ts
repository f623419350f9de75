import type { Deps } from '../deps'
import type { RateLimited } from '../engine'
import { AppError, rateLimitedError } from '../errors/app-error'
import { StoreUnavailableError } from '../errors/store-unavailable'

export const productNotFound = (productId: number) =>
  new AppError('PRODUCT_NOT_FOUND', `Product ${productId} not found`, { details: [{ product_id: String(productId) }] })

/** Redis lost the product between hydrating it and the retry: a store problem, not the caller's. */
export const productVanished = () =>
  new StoreUnavailableError('redis', new Error('product vanished from Redis right after it was loaded'), 'hydrate product')

/** The 429 of a write window the engine found full. */
export function rateLimited(deps: Pick<Deps, 'config'>, r: RateLimited): AppError {
  const limit = r.scope === 'ip' ? deps.config.RATE_LIMIT_MAX_REQUESTS : deps.config.USER_RATE_LIMIT_MAX_REQUESTS
  return rateLimitedError(r.scope, r.resetAt, limit)
}
