import * as z from 'zod'
import { MAX_QUANTITY, money, requiredText, text, timestamp } from './common'

export const MAX_STOCK = 1_000_000_000

const totalStock = z.number().int('must be a whole number').min(0).max(MAX_STOCK)

export const createProductBody = z
  .object({
    name: requiredText(255).meta({ description: 'Up to 255 characters, not blank; stored without surrounding white space' }),
    description: text(2000).nullish(),
    total_stock: totalStock,
    price: money.nullish(),
    max_per_user: z.number().int('must be a whole number').min(1).max(MAX_QUANTITY).nullish(),
    sale_starts_at: timestamp.nullish(),
    sale_ends_at: timestamp.nullish().meta({
      description: 'Must be later than sale_starts_at when both are given',
      // An extension keyword: JSON Schema cannot compare two fields (see the document's description).
      'x-after': 'sale_starts_at',
    }),
  })
  .strict()
  .refine((p) => !p.sale_starts_at || !p.sale_ends_at || p.sale_starts_at < p.sale_ends_at, {
    path: ['sale_ends_at'],
    message: 'must be after sale_starts_at',
  })
  .meta({
    id: 'CreateProduct',
    examples: [{ name: 'Sneaker drop', description: 'Limited run', total_stock: 100, price: '89.90', max_per_user: 2, sale_starts_at: '2026-05-01T12:00:00Z' }],
  })

export type CreateProductBody = z.output<typeof createProductBody>

export const updateStockBody = z
  .object({ total_stock: totalStock })
  .strict()
  .meta({ id: 'UpdateStock', examples: [{ total_stock: 150 }] })

// Responses (documentation only: what src/services/product-view.ts and
// productStatus() return; test/node/openapi.test.ts keeps the types equal).

const count = z.number().int()
const instant = z.iso.datetime()

export const productResponse = z
  .object({
    id: z.string().meta({ description: 'The product id, as a string' }),
    name: z.string(),
    description: z.string().nullable(),
    total_stock: count,
    sold: count.meta({ description: 'Units bought (confirmed orders)' }),
    price: z.string().nullable().meta({ description: 'The unit price as "19.99"; null when the client sets the amount' }),
    max_per_user: count.nullable().meta({ description: 'Most units one user may hold; null for no limit' }),
    sale_starts_at: instant.nullable(),
    sale_ends_at: instant.nullable(),
    created_at: instant,
    updated_at: instant,
  })
  .meta({
    id: 'Product',
    examples: [
      {
        id: '1',
        name: 'Sneaker drop',
        description: 'Limited run',
        total_stock: 100,
        sold: 0,
        price: '89.90',
        max_per_user: 2,
        sale_starts_at: '2026-05-01T12:00:00.000Z',
        sale_ends_at: null,
        created_at: '2026-04-30T10:00:00.000Z',
        updated_at: '2026-04-30T10:00:00.000Z',
      },
    ],
  })

export const productStatusResponse = z
  .object({
    product_id: z.string(),
    name: z.string(),
    total_stock: count,
    sold: count,
    reserved_stock: count.meta({ description: 'Units in holds that have not expired' }),
    available_stock: count.meta({ description: 'total_stock - sold - reserved_stock' }),
  })
  .meta({
    id: 'ProductStatus',
    examples: [{ product_id: '1', name: 'Sneaker drop', total_stock: 100, sold: 12, reserved_stock: 30, available_stock: 58 }],
  })
