import { findProduct, insertProduct, listProducts } from '../db/products'
import type { Deps } from '../deps'
import { StoreUnavailableError } from '../errors/store-unavailable'
import { decodeCursor, encodeCursor } from './cursor'
import { productNotFound, productVanished } from './errors'
import { engineProduct, withHydration } from './hydrate'
import { setWaitingRoom } from './queue'
import { setTotalStock } from './stock'
import type { NewProduct, Page, Product, ProductChanges, ProductCounts } from './types'

/**
 * Postgres first (the truth), then Redis. If Redis is down the product still
 * exists: it is loaded into Redis on first use.
 */
export async function createProduct(deps: Deps, product: NewProduct): Promise<Product> {
  const { waitingRoom, ...fields } = product
  const row = await insertProduct(deps.db, {
    ...fields,
    admitPerSecond: waitingRoom?.admitPerSecond ?? null,
    admissionTtlSeconds: waitingRoom?.admissionTtlSeconds ?? null,
  })
  try {
    await deps.engine.initProduct(row.id, engineProduct(row))
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err
    deps.log('warn', 'product_not_cached', { product_id: row.id, reason: err.kind })
  }
  return row
}

export async function getProduct(deps: Deps, productId: number): Promise<Product> {
  const row = await findProduct(deps.db, productId)
  if (!row) throw productNotFound(productId)
  return row
}

/** The catalogue, newest first, `limit` at a time after `cursor`. */
export async function catalogue(deps: Deps, limit: number, cursor?: string): Promise<Page<Product>> {
  const after = cursor ? Number(decodeCursor(cursor, ([id]) => /^[1-9][0-9]{0,9}$/.test(id ?? ''))[0]) : undefined
  const rows = await listProducts(deps.db, limit + 1, after)
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(String(last.id)) : null }
}

/** Changes a product's stock (src/services/stock.ts), then its waiting room (src/services/queue.ts); nothing given, it is as it was. */
export async function updateProduct(deps: Deps, productId: number, changes: ProductChanges): Promise<Product> {
  let row: Product | undefined
  if (changes.totalStock !== undefined) row = await setTotalStock(deps, productId, changes.totalStock)
  if (changes.waitingRoom !== undefined) row = await setWaitingRoom(deps, productId, changes.waitingRoom)
  return row ?? getProduct(deps, productId)
}

export async function productStatus(deps: Deps, productId: number): Promise<ProductCounts> {
  const status = await withHydration(deps, [productId], () => deps.engine.status(productId))
  if (!status.ok) throw productVanished()
  const { ok: _, ...counts } = status
  return { productId, ...counts }
}
