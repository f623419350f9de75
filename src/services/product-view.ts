import type { ProductRow } from '../db/schema'
import { formatMoney } from '../schemas/common'

/** A product as the API returns it (snake_case, id as a string, money as "19.99"). */
export function productView(row: ProductRow) {
  return {
    id: String(row.id),
    name: row.name,
    description: row.description,
    total_stock: row.totalStock,
    sold: row.sold,
    price: row.priceCents === null ? null : formatMoney(row.priceCents),
    max_per_user: row.maxPerUser,
    sale_starts_at: row.saleStartsAt?.toISOString() ?? null,
    sale_ends_at: row.saleEndsAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  }
}

export type ProductView = ReturnType<typeof productView>
