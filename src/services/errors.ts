import { AppError, StoreUnavailableError } from '../errors/app-error'

export const productNotFound = (productId: number) =>
  new AppError(404, 'PRODUCT_NOT_FOUND', `Product ${productId} not found`, [{ product_id: String(productId) }])

/** Redis lost the product between hydrating it and the retry: a store problem, not the caller's. */
export const productVanished = () =>
  new StoreUnavailableError('redis', new Error('product vanished from Redis right after it was loaded'))
