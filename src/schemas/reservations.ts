import { z } from 'zod'
import { productId, quantity, userId } from './common'

export const MAX_BULK_ITEMS = 50

export const reserveBody = z.object({ user_id: userId, product_id: productId, quantity }).strict()

export const bulkReserveBody = z
  .object({
    user_id: userId,
    items: z
      .array(z.object({ product_id: productId, quantity }).strict())
      .min(1)
      .max(MAX_BULK_ITEMS),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Set<number>()
    body.items.forEach((item, index) => {
      if (seen.has(item.product_id)) {
        ctx.addIssue({ code: 'custom', path: ['items', index, 'product_id'], message: 'duplicate product_id in items' })
      }
      seen.add(item.product_id)
    })
  })
