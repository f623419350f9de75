import { boughtByUser, findOrders } from '../db/orders'
import { productCounters, productIds } from '../db/products'
import type { OrderRow } from '../db/schema'
import type { Deps } from '../deps'
import type { ProductReport, QueuedOrder } from '../engine'
import { orderRecord } from './checkout'

export interface ReconcileOptions {
  /** pending checkouts younger than this are left to the requests still finishing them */
  pendingOlderThanMs?: number
  /** at most this many pending checkouts per run */
  pendingBatch?: number
}

export interface ReconcileReport {
  pending_confirmed: number
  pending_given_back: number
  units_given_back: number
  /** held by a retry of their Idempotency-Key right now: left for the next run */
  pending_busy: number
  products_checked: number
  holds_purged: number
  /** structures mended after a lost key (holds, expiries, counters, queue entries) */
  keys_healed: number
  bought_reloaded: number
  products_repaired: number
  products_raced: number
  duration_ms: number
}

/** How long the reconciler owns a pending checkout it is settling. */
const CLAIM_MS = 30_000

/**
 * The reconciler (Worker cron, `npm run reconcile`, the Node server's timer;
 * docs/architecture.md, "Reconciler"): settles pending checkouts against
 * Postgres, claiming each before it looks; sweeps every product's expired
 * holds and heals what a lost key broke; and sets Redis's sold and total to
 * what Postgres says they must be.
 */
export async function reconcile(deps: Deps, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
  const started = Date.now()
  const report: ReconcileReport = {
    pending_confirmed: 0,
    pending_given_back: 0,
    units_given_back: 0,
    pending_busy: 0,
    products_checked: 0,
    holds_purged: 0,
    keys_healed: 0,
    bought_reloaded: 0,
    products_repaired: 0,
    products_raced: 0,
    duration_ms: 0,
  }
  await settlePending(deps, opts, report)

  // Every Redis report is taken before Postgres is read: a checkout that ends
  // in between bumps the product's settled counter and the repair stands down.
  const reports = new Map<number, ProductReport>()
  for (const id of await productIds(deps.db)) {
    const r = await deps.engine.inspect(id)
    if (!r) continue // not in Redis: it is loaded fresh from Postgres on first use
    reports.set(id, r)
    report.products_checked++
    report.holds_purged += r.purged
    report.keys_healed += r.healed
  }
  const pendingIds = [...reports.values()].flatMap((r) => [...r.pendingOrders.keys()])
  for (const pg of await productCounters(deps.db, [...reports.keys()], pendingIds)) {
    const r = reports.get(pg.id)!
    if (r.boughtMissing) {
      await deps.engine.reloadBought(pg.id, await boughtByUser(deps.db, pg.id))
      report.bought_reloaded++
    }
    const recorded = new Set(pg.recordedOrderIds)
    let sold = pg.sold
    for (const [orderId, units] of r.pendingOrders) if (!recorded.has(orderId)) sold += units
    if (r.sold === sold && r.total === pg.totalStock) continue
    const outcome = await deps.engine.repair(pg.id, r, {
      sold: pg.sold,
      total: pg.totalStock,
      stockVersion: pg.stockVersion,
      recordedOrderIds: pg.recordedOrderIds,
    })
    if (outcome === 'REPAIRED') report.products_repaired++
    else if (outcome === 'RACED') report.products_raced++
  }

  report.duration_ms = Date.now() - started
  deps.log('info', 'reconcile', { ...report })
  return report
}

/** Claims the old pending checkouts, looks them up in Postgres at once, then settles each under its claim. */
async function settlePending(deps: Deps, opts: ReconcileOptions, report: ReconcileReport): Promise<void> {
  const before = new Date(Date.now() - (opts.pendingOlderThanMs ?? 60_000))
  const claimed: { queued: QueuedOrder; claim: string }[] = []
  for (const queued of await deps.engine.listPending(before, opts.pendingBatch ?? 500)) {
    const c = await deps.engine.claimPending(queued, CLAIM_MS, before)
    if (c.ok) claimed.push({ queued, claim: c.claim })
    else if (c.reason === 'BUSY') report.pending_busy++
  }
  let found: OrderRow[]
  try {
    found = await findOrders(
      deps.db,
      claimed.map((c) => c.queued.orderId),
    )
  } catch (err) {
    // Nothing was settled: give the claims back, so the next run need not wait for them to lapse.
    await Promise.all(claimed.map(({ queued, claim }) => deps.engine.unclaimPending(queued, claim).catch(() => {})))
    throw err
  }
  const orders = new Map(found.map((row) => [row.id, row]))
  for (const { queued, claim } of claimed) {
    const { productId, orderId, keyHash } = queued
    const row = orders.get(orderId)
    if (row) {
      // Recorded: the order stands, and its key answers retries with it.
      const record = keyHash ? { keyHash, ...orderRecord(row) } : undefined
      if ((await deps.engine.settle({ productId, orderId, mode: 'confirm', record, claim })) >= 0) report.pending_confirmed++
    } else {
      const units = await deps.engine.settle({ productId, orderId, mode: 'give_back', keyHash: keyHash || undefined, claim })
      if (units < 0) continue // the claim lapsed: a retry has it now
      report.pending_given_back++
      report.units_given_back += units
    }
  }
}
