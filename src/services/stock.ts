import { findProduct, updateTotalStock } from '../db/products'
import type { Deps } from '../deps'
import { AppError } from '../errors/app-error'
import { StoreUnavailableError } from '../errors/store-unavailable'
import { productNotFound, productVanished } from './errors'
import { withHydration } from './hydrate'
import type { Product } from './types'

/** How long one stock edit may hold its product (beyond the Postgres deadline). */
const EDIT_LEASE_MS = 15_000
const EDIT_WAIT_MS = 2000
const POLL_MS = 25

const belowCommitted = (committed: number) =>
  new AppError('STOCK_BELOW_COMMITTED', `total_stock cannot go below the ${committed} unit(s) sold or held`, {
    details: [{ field: 'total_stock', minimum: committed }],
  })

/**
 * Restock or reduce, one edit per product at a time (docs/architecture.md,
 * "Stock edits"): the edit takes a lease in Redis (a reduction applies there
 * at once, so no hold can take the units being removed), commits in Postgres
 * with a new stock_version, and ends by giving Redis exactly what Postgres
 * committed. Concurrent edits wait their turn; the reconciler never repairs a
 * product under an edit, nor with an older version than Redis has.
 */
export async function setTotalStock(deps: Deps, productId: number, total: number): Promise<Product> {
  const token = crypto.randomUUID()
  const begin = () => deps.engine.beginStockEdit(productId, total, token, EDIT_LEASE_MS)
  let begun = await withHydration(deps, [productId], begin)
  for (let waited = 0; !begun.ok && begun.reason === 'BUSY' && waited < EDIT_WAIT_MS; waited += POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    begun = await begin()
  }
  if (!begun.ok) {
    switch (begun.reason) {
      case 'NOT_LOADED':
        throw productVanished()
      case 'BELOW_COMMITTED':
        throw belowCommitted(begun.committed)
      case 'BUSY': {
        const retryAfter = Math.max(1, Math.ceil((begun.leaseEndsAt.getTime() - Date.now()) / 1000))
        throw new AppError('STOCK_EDIT_IN_FLIGHT', 'Another stock edit of this product is still running', { retryAfter })
      }
    }
  }

  let row: Product | undefined
  try {
    row = await updateTotalStock(deps.db, productId, total)
  } catch (err) {
    // No answer: Redis keeps the stricter total; the reconciler gives it Postgres's later.
    await deps.engine.endStockEdit(productId, token).catch(() => {})
    throw err
  }
  if (!row) {
    // Postgres has sold more than Redis knew (or the product is gone): Redis takes Postgres's numbers.
    const current = await findProduct(deps.db, productId)
    await deps.engine.endStockEdit(productId, token, current && { total: current.totalStock, stockVersion: current.stockVersion })
    if (!current) throw productNotFound(productId)
    throw belowCommitted(current.sold)
  }
  try {
    await deps.engine.endStockEdit(productId, token, { total: row.totalStock, stockVersion: row.stockVersion })
  } catch (err) {
    // Committed in Postgres: the edit stands; the reconciler brings Redis along once the lease lapses.
    if (!(err instanceof StoreUnavailableError)) throw err
    deps.log('warn', 'stock_edit_deferred', { product_id: productId, reason: err.kind })
  }
  return row
}
