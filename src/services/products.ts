import { findProduct, insertProduct } from '../db/products'
import type { Deps } from '../deps'
import { StoreUnavailableError } from '../errors/store-unavailable'
import type { CreateProductBody } from '../schemas/products'
import { productNotFound, productVanished } from './errors'
import { engineProduct, withHydration } from './hydrate'
import { productView, type ProductView } from './product-view'

/**
 * Postgres first (the truth), then Redis. If Redis is down the product still
 * exists: it is loaded into Redis on first use.
 */
export async function createProduct(deps: Deps, body: CreateProductBody): Promise<ProductView> {
  const row = await insertProduct(deps.db, {
    name: body.name,
    description: body.description ?? null,
    totalStock: body.total_stock,
    priceCents: body.price ?? null,
    maxPerUser: body.max_per_user ?? null,
    saleStartsAt: body.sale_starts_at ?? null,
    saleEndsAt: body.sale_ends_at ?? null,
  })
  try {
    await deps.engine.initProduct(row.id, engineProduct(row))
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err
    deps.log('warn', 'product_not_cached', { product_id: row.id, reason: err.message })
  }
  return productView(row)
}

export async function getProduct(deps: Deps, productId: number): Promise<ProductView> {
  const row = await findProduct(deps.db, productId)
  if (!row) throw productNotFound(productId)
  return productView(row)
}

export async function productStatus(deps: Deps, productId: number) {
  const status = await withHydration(deps, [productId], () => deps.engine.status(productId))
  if (!status.ok) throw productVanished()
  return {
    product_id: String(productId),
    name: status.name,
    total_stock: status.total,
    sold: status.sold,
    reserved_stock: status.reserved,
    available_stock: status.available,
  }
}
