import { z } from 'zod'
import { money, productId, quantity, userId } from './common'

export const checkoutBody = z
  .object({ user_id: userId, product_id: productId, quantity, total_amount: money })
  .strict()

export type CheckoutBody = z.output<typeof checkoutBody>

/** Printable ASCII without spaces, as Idempotency-Key values are in practice (UUIDs, ULIDs …). */
export const checkoutHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be 1-255 printable characters without spaces')
    .optional(),
})

export const ordersQuery = z
  .object({
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
      .transform(Number)
      .pipe(z.number().int().min(1).max(100))
      .default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict()
