import type { Deps } from '../deps'
import type { BulkItem, Guard, HeldNow, RateInfo, RateLimited, ReserveRefusal } from '../engine'
import { AppError } from '../errors/app-error'
import { admittedProducts } from './admission'
import { productVanished, rateLimited } from './errors'
import { withHydration } from './hydrate'
import type { HeldProduct, Rated } from './types'

const held = (userId: string, productId: number, hold: HeldNow): HeldProduct => ({ userId, productId, ...hold })

/** The refusal of a reserve the engine said no to; `item` names the bulk item it failed on. */
function refused(deps: Deps, result: (ReserveRefusal & { rate?: RateInfo }) | RateLimited, productId: number, item?: number): AppError {
  if (result.reason === 'RATE_LIMITED') return rateLimited(deps, result)
  const at = { ...(item === undefined ? {} : { item }), product_id: String(productId) }
  const error = (() => {
    switch (result.reason) {
      case 'INSUFFICIENT_STOCK':
        return new AppError('INSUFFICIENT_STOCK', `Only ${result.available} unit(s) of product ${productId} available`, {
          details: [{ ...at, available: result.available }],
        })
      case 'LIMIT_EXCEEDED':
        return new AppError('LIMIT_EXCEEDED', `At most ${result.maxPerUser} unit(s) of product ${productId} per customer`, {
          details: [{ ...at, max_per_user: result.maxPerUser, held: result.held, bought: result.bought }],
        })
      case 'ADDRESS_LIMIT_EXCEEDED':
        return new AppError(
          'ADDRESS_LIMIT_EXCEEDED',
          `This network already holds ${result.heldByAddress} of the ${result.maxHeldPerAddress} unit(s) of product ${productId} one network may hold`,
          { details: [{ ...at, max_held_per_address: result.maxHeldPerAddress, held_by_address: result.heldByAddress }] },
        )
      case 'SALE_NOT_ACTIVE':
        return new AppError('SALE_NOT_ACTIVE', `The sale of product ${productId} is not active`, { details: [at] })
      case 'ADMISSION_REQUIRED':
        return new AppError(
          'ADMISSION_REQUIRED',
          `Product ${productId} has a waiting room: join the line, and reserve with the admission token once it is your turn`,
          { details: [at] },
        )
    }
  })()
  return error.withRate(result.rate)
}

/**
 * `admissions`: the admission tokens the request came with (a product with a
 * waiting room needs one; each is checked here, before any store call).
 */
export async function reserve(
  deps: Deps,
  userId: string,
  productId: number,
  quantity: number,
  guard: Guard,
  admissions: string[] = [],
): Promise<Rated<HeldProduct>> {
  const admitted = (await admittedProducts(deps.config, userId, [productId], admissions)).has(productId)
  const result = await withHydration(deps, [productId], () => deps.engine.reserve(userId, productId, quantity, guard, admitted))
  if (result.ok) return { value: held(userId, productId, result), rate: result.rate }
  if (result.reason === 'NOT_LOADED') throw productVanished()
  throw refused(deps, result, productId)
}

/** `admissions`: tokens for any of the items' products; an item's own `admission` must be for its product. */
export async function reserveBulk(
  deps: Deps,
  userId: string,
  items: (BulkItem & { admission?: string })[],
  guard: Guard,
  admissions: string[] = [],
): Promise<Rated<HeldProduct[]>> {
  const admitted = await admittedProducts(
    deps.config,
    userId,
    items.map((item) => item.productId),
    admissions,
  )
  for (const item of items) {
    if (item.admission) for (const id of await admittedProducts(deps.config, userId, [item.productId], [item.admission])) admitted.add(id)
  }
  const engineItems = items.map(({ productId, quantity }) => ({ productId, quantity, admitted: admitted.has(productId) }))
  const result = await withHydration(
    deps,
    (r) => ('missingProductIds' in r ? r.missingProductIds : []),
    () => deps.engine.reserveBulk(userId, engineItems, guard),
  )
  if (result.ok) return { value: result.items.map((hold) => held(userId, hold.productId, hold)), rate: result.rate }
  if (result.reason === 'NOT_LOADED') throw productVanished()
  if (result.reason === 'RATE_LIMITED') throw rateLimited(deps, result)
  throw refused(deps, result, result.productId, result.index)
}

export async function release(deps: Deps, userId: string, productId: number, guard: Guard): Promise<Rated<{ released: number }>> {
  const result = await withHydration(deps, [productId], () => deps.engine.release(userId, productId, guard))
  if (result.ok) return { value: { released: result.released }, rate: result.rate }
  if (result.reason === 'NOT_LOADED') throw productVanished()
  if (result.reason === 'RATE_LIMITED') throw rateLimited(deps, result)
  throw new AppError('NO_RESERVATION', `User ${userId} holds no reservation of product ${productId}`, { case: 'cancel' }).withRate(result.rate)
}

export async function listHolds(deps: Deps, userId: string): Promise<HeldProduct[]> {
  return (await deps.engine.listHolds(userId)).map((hold) => held(userId, hold.productId, hold))
}
