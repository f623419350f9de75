import { pgError } from '../db/errors'
import { findProduct, updateTotalStock } from '../db/products'
import type { Deps } from '../deps'
import { AppError } from '../errors/app-error'
import { productNotFound, productVanished } from './errors'
import { withHydration } from './hydrate'
import { productView, type ProductView } from './product-view'

const belowCommitted = (committed: number) =>
  new AppError(409, 'STOCK_BELOW_COMMITTED', `total_stock cannot go below the ${committed} unit(s) sold or held`, [
    { field: 'total_stock', minimum: committed },
  ])

async function setInRedis(deps: Deps, productId: number, total: number) {
  const result = await withHydration(deps, [productId], () => deps.engine.setTotal(productId, total))
  if (result.ok) return result.previousTotal
  if (result.reason === 'NOT_LOADED') throw productVanished()
  throw belowCommitted(result.committed)
}

/**
 * Restock or reduce. The stricter store changes first, so Redis never offers
 * more than Postgres allows: a restock goes to Postgres then Redis; a
 * reduction to Redis (which knows what is held) then Postgres, undone in
 * Redis if Postgres refuses.
 */
export async function setTotalStock(deps: Deps, productId: number, total: number): Promise<ProductView> {
  const current = await findProduct(deps.db, productId)
  if (!current) throw productNotFound(productId)

  if (total >= current.totalStock) {
    const row = await updateTotalStock(deps.db, productId, total)
    if (!row) throw productNotFound(productId)
    await setInRedis(deps, productId, total)
    return productView(row)
  }

  const previous = await setInRedis(deps, productId, total)
  try {
    const row = await updateTotalStock(deps.db, productId, total)
    if (!row) throw productNotFound(productId)
    return productView(row)
  } catch (err) {
    await deps.engine.setTotal(productId, previous)
    if (pgError(err)?.code === '23514') throw belowCommitted(current.sold)
    throw err
  }
}
