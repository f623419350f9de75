import { boughtByUser } from '../db/orders'
import { findProducts } from '../db/products'
import type { Deps } from '../deps'
import type { WaitingRoom } from '../engine'
import type { ProductRow } from '../db/schema'
import { productNotFound } from './errors'

type Outcome = { ok: boolean; reason?: string }

/** A product's waiting room, from its Postgres row (both columns set, or none). */
export function waitingRoomOf(row: ProductRow): WaitingRoom | null {
  if (row.admitPerSecond === null || row.admissionTtlSeconds === null) return null
  return { admitPerSecond: row.admitPerSecond, admissionTtlSeconds: row.admissionTtlSeconds }
}

/** The product as the engine keeps it in Redis, from its Postgres row. */
export function engineProduct(row: ProductRow) {
  return {
    name: row.name,
    total: row.totalStock,
    sold: row.sold,
    priceCents: row.priceCents,
    maxPerUser: row.maxPerUser,
    saleStartsAt: row.saleStartsAt,
    saleEndsAt: row.saleEndsAt,
    stockVersion: row.stockVersion,
    waitingRoom: waitingRoomOf(row),
    waitingRoomVersion: row.waitingRoomVersion,
  }
}

/**
 * Loads products missing from Redis (never created there, or Redis was
 * flushed) from Postgres, with each buyer's units for a product with a
 * purchase limit, so the limit survives a flush.
 */
export async function hydrate(deps: Pick<Deps, 'db' | 'engine'>, productIds: number[]): Promise<void> {
  const rows = await findProducts(deps.db, productIds)
  const missing = productIds.find((id) => !rows.some((row) => row.id === id))
  if (missing !== undefined) throw productNotFound(missing)
  await Promise.all(
    rows.map(async (row) => {
      const bought = row.maxPerUser === null ? undefined : await boughtByUser(deps.db, row.id)
      await deps.engine.initProduct(row.id, { ...engineProduct(row), bought })
    }),
  )
}

/**
 * Runs an engine call; when it says a product is not in Redis, loads it from
 * Postgres and runs the call once more (docs/architecture.md, "Hydration").
 */
export async function withHydration<T extends Outcome>(
  deps: Pick<Deps, 'db' | 'engine'>,
  productIds: number[] | ((result: T) => number[]),
  call: () => Promise<T>,
): Promise<T> {
  const first = await call()
  if (first.ok || first.reason !== 'NOT_LOADED') return first
  await hydrate(deps, typeof productIds === 'function' ? productIds(first) : productIds)
  return call()
}
