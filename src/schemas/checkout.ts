import * as z from 'zod'
import { cursor, money, productId, quantity, userId, wholeNumberPattern } from './common'

export const checkoutBody = z
  .object({ user_id: userId, product_id: productId, quantity, total_amount: money })
  .strict()
  .meta({ id: 'Checkout', examples: [{ user_id: 'alice', product_id: 1, quantity: 2, total_amount: '179.80' }] })

export type CheckoutBody = z.output<typeof checkoutBody>

/** Printable ASCII without spaces, as Idempotency-Key values are in practice (UUIDs, ULIDs …). */
export const checkoutHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be 1-255 printable characters without spaces')
    .optional()
    .meta({
      description:
        'Makes retries safe: the first answer for a key is replayed to every retry with the same body (Idempotent-Replayed: true); the same key with another body is 422',
      examples: ['4f1c2a9e-7d3b-4b8e-9f61-0c2d5e8a7b10'],
    }),
})

export const ordersQuery = z
  .object({
    limit: z
      .string()
      .regex(new RegExp(`^${wholeNumberPattern(100)}$`), 'must be a whole number from 1 to 100')
      .transform(Number)
      .default(20)
      .meta({ description: 'Orders per page, 1 to 100 (default 20)', examples: ['20'] }),
    cursor: cursor.optional().meta({ description: 'next_cursor of the previous page' }),
  })
  .strict()

// Responses (documentation only: what src/services/order-view.ts and userOrders() return).

const orderExample = {
  order_id: '0b6f3c8e-2a4d-4f7e-9c1b-5d8e7a6f4c3b',
  user_id: 'alice',
  product_id: '1',
  quantity: 2,
  total_amount: '179.80',
  status: 'confirmed',
  created_at: '2026-05-01T12:05:00.000Z',
}

export const orderResponse = z
  .object({
    order_id: z.uuid(),
    user_id: z.string(),
    product_id: z.string(),
    quantity: z.number().int(),
    total_amount: z.string().meta({ description: 'The amount charged, as "179.80"' }),
    status: z.string().meta({ examples: ['confirmed'] }),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'Order', examples: [orderExample] })

export const ordersPageResponse = z
  .object({
    orders: z.array(orderResponse).meta({ description: 'Newest first' }),
    next_cursor: cursor.nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  })
  .meta({
    id: 'OrdersPage',
    examples: [{ orders: [orderExample], next_cursor: 'MjAyNi0wNS0wMVQxMjowNTowMC4wMDBafDBiNmYzYzhlLTJhNGQtNGY3ZS05YzFiLTVkOGU3YTZmNGMzYg' }],
  })
