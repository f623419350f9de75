import { z } from 'zod'
import { MAX_QUANTITY, money, timestamp } from './common'

export const createProductBody = z
  .object({
    name: z.string().trim().min(1).max(255),
    description: z.string().max(2000).nullish(),
    total_stock: z.number().int('must be a whole number').min(0).max(1_000_000_000),
    price: money.nullish(),
    max_per_user: z.number().int('must be a whole number').min(1).max(MAX_QUANTITY).nullish(),
    sale_starts_at: timestamp.nullish(),
    sale_ends_at: timestamp.nullish(),
  })
  .strict()
  .refine((p) => !p.sale_starts_at || !p.sale_ends_at || p.sale_starts_at < p.sale_ends_at, {
    path: ['sale_ends_at'],
    message: 'must be after sale_starts_at',
  })

export type CreateProductBody = z.output<typeof createProductBody>

export const updateStockBody = z
  .object({ total_stock: z.number().int('must be a whole number').min(0).max(1_000_000_000) })
  .strict()
