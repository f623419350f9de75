import * as z from 'zod'
import { cursor, MAX_QUANTITY, money, pageLimit, requiredText, text, timestamp } from './common'

export const MAX_STOCK = 1_000_000_000

const totalStock = z.number().int('must be a whole number').min(0).max(MAX_STOCK)

const WAITING_ROOM =
  'The waiting room: shoppers take a place in line (`POST /api/products/{productId}/queue`) and are admitted first come, first served, `admit_per_second` a second; only an admitted shopper may reserve, until their turn of `admission_ttl_seconds` ends. null: none'

const waitingRoom = z
  .object({
    admit_per_second: z
      .number()
      .int('must be a whole number')
      .min(1)
      .max(10_000)
      .meta({ description: 'Places in line admitted per second, 1 to 10000' }),
    admission_ttl_seconds: z
      .number()
      .int('must be a whole number')
      .min(10)
      .max(3600)
      .default(120)
      .meta({ description: 'How long an admitted shopper may reserve with their admission token, 10 to 3600 seconds (default 120)' }),
  })
  .strict()
  .transform((r) => ({ admitPerSecond: r.admit_per_second, admissionTtlSeconds: r.admission_ttl_seconds }))
  .meta({ id: 'WaitingRoom', examples: [{ admit_per_second: 50, admission_ttl_seconds: 120 }] })

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
    waiting_room: waitingRoom.nullish().meta({ description: WAITING_ROOM }),
  })
  .strict()
  .refine((p) => !p.sale_starts_at || !p.sale_ends_at || p.sale_starts_at < p.sale_ends_at, {
    path: ['sale_ends_at'],
    message: 'must be after sale_starts_at',
  })
  .meta({
    id: 'CreateProduct',
    examples: [
      { name: 'Sneaker drop', description: 'Limited run', total_stock: 100, price: '89.90', max_per_user: 2, sale_starts_at: '2026-05-01T12:00:00Z' },
    ],
  })

export type CreateProductBody = z.output<typeof createProductBody>

export const updateProductBody = z
  .object({
    total_stock: totalStock.optional(),
    waiting_room: waitingRoom
      .nullable()
      .optional()
      .meta({ description: `${WAITING_ROOM} (turns it off); left out: unchanged` }),
  })
  .strict()
  .meta({ id: 'UpdateProduct', description: 'The fields to change; a field left out stays as it is', examples: [{ total_stock: 150 }] })

export const productsQuery = z
  .object({ limit: pageLimit('Products'), cursor: cursor.optional().meta({ description: 'next_cursor of the previous page' }) })
  .strict()

// Responses (documentation only: what src/http/views.ts makes of what the
// services return; test/unit/openapi.test.ts keeps the types equal).

const count = z.number().int()
const instant = z.iso.datetime()

const waitingRoomResponse = z
  .object({ admit_per_second: count, admission_ttl_seconds: count })
  .nullable()
  .meta({ description: 'The waiting room (places admitted per second, seconds a turn lasts); null when the product has none' })

export const productResponse = z
  .object({
    id: z.string().meta({ description: 'The product id, as a string' }),
    name: z.string(),
    description: z.string().nullable(),
    total_stock: count,
    sold: count.meta({ description: 'Units bought (confirmed orders)' }),
    price: z.string().nullable().meta({ description: 'The unit price as "19.99"; null when the client sets the amount' }),
    max_per_user: count.nullable().meta({ description: 'Most units one customer may hold and buy over the whole sale; null for no limit' }),
    sale_starts_at: instant.nullable(),
    sale_ends_at: instant.nullable(),
    waiting_room: waitingRoomResponse,
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
        waiting_room: { admit_per_second: 50, admission_ttl_seconds: 120 },
        created_at: '2026-04-30T10:00:00.000Z',
        updated_at: '2026-04-30T10:00:00.000Z',
      },
    ],
  })

export const productsPageResponse = z
  .object({
    products: z.array(productResponse).meta({ description: 'Newest first' }),
    next_cursor: cursor.nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  })
  .meta({ id: 'ProductsPage' })

export const productStatusResponse = z
  .object({
    product_id: z.string(),
    name: z.string(),
    total_stock: count,
    sold: count,
    reserved_stock: count.meta({ description: 'Units in holds that have not expired' }),
    available_stock: count.meta({ description: 'total_stock - sold - reserved_stock' }),
    waiting_room: waitingRoomResponse,
    queue_length: count.meta({ description: 'Places in the waiting room not admitted yet (0 without one)' }),
  })
  .meta({
    id: 'ProductStatus',
    examples: [
      {
        product_id: '1',
        name: 'Sneaker drop',
        total_stock: 100,
        sold: 12,
        reserved_stock: 30,
        available_stock: 58,
        waiting_room: { admit_per_second: 50, admission_ttl_seconds: 120 },
        queue_length: 1200,
      },
    ],
  })
