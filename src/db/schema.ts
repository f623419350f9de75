import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, pgTable, serial, text, timestamp, unique, uuid, varchar } from 'drizzle-orm/pg-core'

/**
 * Postgres is the truth: products with how many units were sold, and orders.
 * Live holds are in Redis only. Money is integer cents.
 */
export const products = pgTable(
  'products',
  {
    id: serial('id').primaryKey(),
    name: varchar('name', { length: 255 }).notNull(),
    description: text('description'),
    totalStock: integer('total_stock').notNull(),
    sold: integer('sold').notNull().default(0),
    /** bumped by every stock edit: Redis keeps the total of the newest version it saw */
    stockVersion: integer('stock_version').notNull().default(0),
    priceCents: bigint('price_cents', { mode: 'number' }),
    maxPerUser: integer('max_per_user'),
    saleStartsAt: timestamp('sale_starts_at', { withTimezone: true }),
    saleEndsAt: timestamp('sale_ends_at', { withTimezone: true }),
    /** the waiting room (both set, or neither): places admitted per second, and how long a turn lasts */
    admitPerSecond: integer('admit_per_second'),
    admissionTtlSeconds: integer('admission_ttl_seconds'),
    /** bumped by every waiting-room edit: Redis keeps the settings of the newest version it saw */
    waitingRoomVersion: integer('waiting_room_version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The last guard against oversell: whatever Redis believes, Postgres refuses it.
    check('products_sold_within_stock', sql`${t.sold} >= 0 AND ${t.sold} <= ${t.totalStock}`),
    check('products_total_stock_nonnegative', sql`${t.totalStock} >= 0`),
    check('products_price_nonnegative', sql`${t.priceCents} IS NULL OR ${t.priceCents} >= 0`),
    check('products_max_per_user_positive', sql`${t.maxPerUser} IS NULL OR ${t.maxPerUser} > 0`),
    check('products_sale_window_ordered', sql`${t.saleStartsAt} IS NULL OR ${t.saleEndsAt} IS NULL OR ${t.saleStartsAt} < ${t.saleEndsAt}`),
    check(
      'products_waiting_room_valid',
      sql`(${t.admitPerSecond} IS NULL AND ${t.admissionTtlSeconds} IS NULL) OR (${t.admitPerSecond} BETWEEN 1 AND 10000 AND ${t.admissionTtlSeconds} BETWEEN 10 AND 3600)`,
    ),
  ],
)

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    /** a customer's Idempotency-Key: unique per customer, not across customers */
    idempotencyKey: varchar('idempotency_key', { length: 255 }),
    userId: varchar('user_id', { length: 128 }).notNull(),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id),
    quantity: integer('quantity').notNull(),
    totalAmountCents: bigint('total_amount_cents', { mode: 'number' }).notNull(),
    status: varchar('status', { length: 32 }).notNull().default('confirmed'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('orders_quantity_positive', sql`${t.quantity} > 0`),
    check('orders_total_amount_nonnegative', sql`${t.totalAmountCents} >= 0`),
    index('orders_user_created_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    unique('orders_user_idempotency_key_unique').on(t.userId, t.idempotencyKey),
    index('orders_product_user_idx').on(t.productId, t.userId),
  ],
)

export type ProductRow = typeof products.$inferSelect
export type OrderRow = typeof orders.$inferSelect
