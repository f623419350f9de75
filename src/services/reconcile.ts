import { existingOrderIds } from '../db/orders'
import { productCounters } from '../db/products'
import type { Deps } from '../deps'
import type { ProductReport } from '../engine/ledger'

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
  products_checked: number
  holds_purged: number
  products_repaired: number
  products_raced: number
  duration_ms: number
}

/**
 * The reconciler (Worker cron and `npm run reconcile`): settles pending
 * checkouts against Postgres, sweeps every product's expired holds, and
 * repairs Redis's sold and total from Postgres where they drifted.
 */
export async function reconcile(deps: Deps, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
  const started = Date.now()
  const report: ReconcileReport = {
    pending_confirmed: 0,
    pending_given_back: 0,
    units_given_back: 0,
    products_checked: 0,
    holds_purged: 0,
    products_repaired: 0,
    products_raced: 0,
    duration_ms: 0,
  }

  const cutoff = new Date(Date.now() - (opts.pendingOlderThanMs ?? 60_000))
  const pending = await deps.engine.listPending(cutoff, opts.pendingBatch ?? 500)
  const recorded = await existingOrderIds(deps.db, pending.map((p) => p.orderId))
  for (const order of pending) {
    const mode = recorded.has(order.orderId) ? 'confirm' : 'give_back'
    report.units_given_back += await deps.engine.settle({ productId: order.productId, orderId: order.orderId, mode })
    if (mode === 'confirm') report.pending_confirmed++
    else report.pending_given_back++
  }

  // Every Redis report is taken before Postgres is read: a checkout that
  // ends in between bumps the product's settled counter and the repair stands down.
  const ids = (await productCounters(deps.db)).map((p) => p.id)
  const reports = new Map<number, ProductReport>()
  for (const id of ids) {
    const r = await deps.engine.inspect(id)
    if (!r) continue // not in Redis: it is loaded fresh from Postgres on first use
    reports.set(id, r)
    report.products_checked++
    report.holds_purged += r.purged
  }
  for (const pg of await productCounters(deps.db)) {
    const r = reports.get(pg.id)
    if (!r || (r.sold === pg.sold && r.total === pg.totalStock)) continue
    const repaired = await deps.engine.repair(pg.id, r, { sold: pg.sold, total: pg.totalStock })
    if (repaired.ok) report.products_repaired++
    else report.products_raced++
  }

  report.duration_ms = Date.now() - started
  deps.log('info', 'reconcile', { ...report })
  return report
}
