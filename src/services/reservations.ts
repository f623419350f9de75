import type { Deps } from '../deps'
import type { BulkItem, Hold, InsufficientStock, LimitExceeded, SaleNotActive } from '../engine'
import { AppError } from '../errors/app-error'
import { productVanished } from './errors'
import { withHydration } from './hydrate'

type Refusal = SaleNotActive | InsufficientStock | LimitExceeded

export interface HoldView {
  user_id: string
  product_id: string
  quantity: number
  expires_at: string
}

function holdView(userId: string, hold: Hold): HoldView {
  return { user_id: userId, product_id: String(hold.productId), quantity: hold.quantity, expires_at: hold.expiresAt.toISOString() }
}

/** The 409 for a reserve the engine refused; `item` names the bulk item it failed on. */
function refused(result: Refusal, productId: number, item?: number): AppError {
  const at = { ...(item === undefined ? {} : { item }), product_id: String(productId) }
  switch (result.reason) {
    case 'INSUFFICIENT_STOCK':
      return new AppError(409, 'INSUFFICIENT_STOCK', `Only ${result.available} unit(s) of product ${productId} available`, [
        { ...at, available: result.available },
      ])
    case 'LIMIT_EXCEEDED':
      return new AppError(409, 'LIMIT_EXCEEDED', `At most ${result.maxPerUser} unit(s) of product ${productId} per user`, [
        { ...at, max_per_user: result.maxPerUser, held: result.held },
      ])
    case 'SALE_NOT_ACTIVE':
      return new AppError(409, 'SALE_NOT_ACTIVE', `The sale of product ${productId} is not active`, [at])
  }
}

export async function reserve(deps: Deps, userId: string, productId: number, quantity: number): Promise<HoldView> {
  const result = await withHydration(deps, [productId], () => deps.engine.reserve(userId, productId, quantity))
  if (result.ok) return holdView(userId, { productId, quantity: result.quantity, expiresAt: result.expiresAt })
  if (result.reason === 'NOT_LOADED') throw productVanished()
  throw refused(result, productId)
}

export async function reserveBulk(deps: Deps, userId: string, items: BulkItem[]): Promise<HoldView[]> {
  const result = await withHydration(
    deps,
    (r) => ('missingProductIds' in r ? r.missingProductIds : []),
    () => deps.engine.reserveBulk(userId, items),
  )
  if (result.ok) return result.items.map((hold) => holdView(userId, hold))
  if (result.reason === 'NOT_LOADED') throw productVanished()
  throw refused(result, result.productId, result.index)
}

export async function release(deps: Deps, userId: string, productId: number): Promise<{ released: number }> {
  const result = await withHydration(deps, [productId], () => deps.engine.release(userId, productId))
  if (result.ok) return { released: result.released }
  if (result.reason === 'NOT_LOADED') throw productVanished()
  throw new AppError(404, 'NO_RESERVATION', `User ${userId} holds no reservation of product ${productId}`)
}

export async function listHolds(deps: Deps, userId: string): Promise<HoldView[]> {
  return (await deps.engine.listHolds(userId)).map((hold) => holdView(userId, hold))
}
