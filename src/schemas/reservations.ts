import * as z from 'zod'
import { SIGNED_PATTERN } from '../lib/signed'
import { productId, quantity, userId } from './common'
import { admissionToken } from './queue'

export const MAX_BULK_ITEMS = 50

const TOKEN = SIGNED_PATTERN.source.slice(1, -1)

/** X-Admission-Token: one admission token, or several separated by commas (bulk). */
export const reserveHeaders = z.object({
  'x-admission-token': z
    .string()
    .max(8192)
    .regex(new RegExp(`^${TOKEN}(?: *, *${TOKEN})*$`), 'must be admission tokens this API gave, separated by commas')
    .optional()
    .meta({
      description:
        "The admission token(s) the waiting room gave when the shopper's turn came, comma-separated: needed, until they expire, to reserve a product with a waiting room (or send `admission_token` in the body)",
      'x-credential': true,
    }),
})

export const reserveBody = z
  .object({ user_id: userId, product_id: productId, quantity, admission_token: admissionToken.optional() })
  .strict()
  .meta({ id: 'Reserve', examples: [{ user_id: 'alice', product_id: 1, quantity: 2 }] })

export const bulkReserveBody = z
  .object({
    user_id: userId,
    items: z
      .array(z.object({ product_id: productId, quantity, admission_token: admissionToken.optional() }).strict())
      .min(1)
      .max(MAX_BULK_ITEMS)
      // An extension keyword: items may not name the same product twice (1 and "1" are the same).
      .meta({ description: `1 to ${MAX_BULK_ITEMS} items, each product at most once`, 'x-unique-by': 'product_id' }),
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
  .meta({
    id: 'BulkReserve',
    examples: [
      {
        user_id: 'alice',
        items: [
          { product_id: 1, quantity: 1 },
          { product_id: 2, quantity: 1 },
        ],
      },
    ],
  })

// Responses (documentation only: what src/services/reservations.ts returns).

export const holdResponse = z
  .object({
    user_id: z.string(),
    product_id: z.string(),
    quantity: z.number().int().meta({ description: 'Units held now (a second reserve adds to the hold)' }),
    expires_at: z.iso.datetime().meta({ description: 'When the hold lapses and its units go back on sale' }),
    may_buy_more: z.number().int().nullable().meta({
      description:
        'Units this customer may still reserve or buy of the product: max_per_user minus what they hold, are buying and bought; null when the product has no max_per_user',
    }),
  })
  .meta({
    id: 'Hold',
    examples: [{ user_id: 'alice', product_id: '1', quantity: 2, expires_at: '2026-05-01T12:10:00.000Z', may_buy_more: 0 }],
  })

export const holdListResponse = z.array(holdResponse)

export const releaseResponse = z
  .object({ released: z.number().int().meta({ description: 'Units given back' }) })
  .meta({ id: 'Released', examples: [{ released: 2 }] })
