import type { Guards } from './guards'
import type { Keys } from './keys'
import { asArray, asInt, asString, tagOf, UnexpectedReplyError } from './replies'
import type { LuaScript } from './run-script'
import { checkoutScript, claimPendingScript, listPendingScript, reconcileScript, settleScript, stockEditScript } from './scripts'
import type { Guard, RateLimited, Rated } from './types'

/**
 * The sale side of the engine: checkout into pending, settling pending orders
 * once Postgres has answered, stock edits and the reconciler's claims,
 * reports and repairs (docs/architecture.md, "Checkout" and "Reconciler").
 */

export interface PendingOrder {
  orderId: string
  productId: number
  userId: string
  quantity: number
  amountCents: number
  createdAt: Date
  /** sha256 hex of the customer and the Idempotency-Key it came with, '' without one */
  keyHash: string
}

export interface CheckoutRequest {
  userId: string
  productId: number
  quantity: number
  amountCents: number
  /** the id a new order gets (an idempotent retry keeps its first one) */
  orderId: string
  /** with an Idempotency-Key: sha256 hex of the customer with the key, and of the request */
  idempotency?: { keyHash: string; requestHash: string }
  guard?: Guard
}

export type CheckoutResult =
  | Rated<
      | { ok: true; order: PendingOrder }
      | { ok: false; reason: 'REPLAY'; kind: string; body: string }
      | { ok: false; reason: 'IN_FLIGHT' | 'KEY_REUSED' }
      | { ok: false; reason: 'NO_RESERVATION'; orderId: string }
      | { ok: false; reason: 'QUANTITY_EXCEEDS_RESERVATION'; held: number }
      | { ok: false; reason: 'AMOUNT_MISMATCH'; expectedCents: number }
    >
  | { ok: false; reason: 'NOT_LOADED' }
  | RateLimited

export interface SettleRequest {
  productId: number
  orderId?: string
  /**
   * confirm: Postgres has the order; give_back: it refused it (or never got
   * it), the units go back on sale; release: no answer, the entry stays and
   * the idempotency key (`keyHash`) is free for a retry at once
   */
  mode: 'confirm' | 'give_back' | 'release'
  keyHash?: string
  /** the answer an idempotent request gave, replayed to its retries: what kind of answer, and its body */
  record?: { keyHash: string; kind: string; body: string }
  /** the reconciler's claim on the order: the settle only happens while it holds */
  claim?: string
}

/** A pending checkout as the reconciler's queue lists it. */
export interface QueuedOrder {
  productId: number
  orderId: string
  keyHash: string
  member: string
}

export type ClaimResult = { ok: true; order: PendingOrder; claim: string } | { ok: false; reason: 'BUSY' | 'SKIP' | 'GONE' }

export type StockEditResult =
  | { ok: true; previousTotal: number }
  | { ok: false; reason: 'BUSY'; leaseEndsAt: Date }
  | { ok: false; reason: 'BELOW_COMMITTED'; committed: number }
  | { ok: false; reason: 'NOT_LOADED' }

export interface ProductReport {
  settled: number
  total: number
  sold: number
  purged: number
  /** structures mended because a key was lost */
  healed: number
  /** a product with a purchase limit has lost its bought counts */
  boughtMissing: boolean
  /** its pending checkouts: order id → units */
  pendingOrders: Map<string, number>
}

/** Postgres's view of a product, for a repair. */
export interface ProductTruth {
  sold: number
  total: number
  stockVersion: number
  /** which of the report's pending checkouts Postgres already has */
  recordedOrderIds: string[]
}

export interface Ledger {
  checkout(req: CheckoutRequest): Promise<CheckoutResult>
  /** units given back; -1 when a reconciler's claim no longer held */
  settle(req: SettleRequest): Promise<number>
  beginStockEdit(productId: number, total: number, token: string, leaseMs: number): Promise<StockEditResult>
  /** `committed`: what Postgres now has; undefined when it did not answer */
  endStockEdit(productId: number, token: string, committed?: { total: number; stockVersion: number }): Promise<void>
  /** pending checkouts queued at or before `before`, oldest first */
  listPending(before: Date, limit: number): Promise<QueuedOrder[]>
  claimPending(order: QueuedOrder, claimMs: number, before: Date): Promise<ClaimResult>
  /** gives back a claim that could not be settled, so the next run takes the order at once */
  unclaimPending(order: QueuedOrder, claim: string): Promise<void>
  /** sweeps expired holds, heals lost keys and reports the counters; undefined when not loaded */
  inspect(productId: number): Promise<ProductReport | undefined>
  /** sets sold and total from Postgres unless a checkout ended or a stock edit ran since `report` */
  repair(productId: number, report: ProductReport, truth: ProductTruth): Promise<'REPAIRED' | 'RACED' | 'NOT_LOADED'>
}

/** How long an in-flight idempotent request owns its key, and how long its answer is kept. */
export const IDEMPOTENCY_LEASE_MS = 15_000
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000

/** A pending entry: "user|qty|amount|created ms|key hash". */
function parsePending(script: string, productId: number, orderId: string, entry: unknown): PendingOrder {
  const parts = typeof entry === 'string' ? entry.split('|') : []
  if (parts.length !== 5) throw new UnexpectedReplyError(script, entry)
  const [userId, quantity, amountCents, createdMs, keyHash] = parts as [string, string, string, string, string]
  return {
    orderId,
    productId,
    userId,
    quantity: asInt(script, quantity),
    amountCents: asInt(script, amountCents),
    createdAt: new Date(asInt(script, createdMs)),
    keyHash,
  }
}

type Run = (script: LuaScript, keys: string[], args: string[]) => Promise<unknown>

export function createLedger(run: Run, keys: Keys, guards: Guards): Ledger {
  const idemKey = (keyHash?: string) => (keyHash ? keys.idempotency(keyHash) : keys.unused)
  const runClaim = (order: QueuedOrder, args: [string, string]) =>
    run(
      claimPendingScript,
      [keys.product(order.productId).pending, keys.pendingQueue, idemKey(order.keyHash || undefined)],
      [order.member, order.orderId, ...args],
    )

  return {
    async checkout(req) {
      const name = checkoutScript.name
      const g = guards.of(req.guard)
      if (g.refused) return g.refused
      const answer = await g.run(
        checkoutScript,
        [...keys.productArgs(req.productId), keys.userIndex(req.userId), keys.pendingQueue, idemKey(req.idempotency?.keyHash), ...g.keys],
        [
          req.userId,
          String(req.productId),
          String(req.quantity),
          String(req.amountCents),
          req.orderId,
          req.idempotency?.requestHash ?? '',
          req.idempotency?.keyHash ?? '',
          String(IDEMPOTENCY_LEASE_MS),
          String(IDEMPOTENCY_TTL_MS),
          ...g.windowArgs,
        ],
      )
      if (!('reply' in answer)) return answer
      const { reply, rate } = answer
      switch (tagOf(name, reply)) {
        case 'OK': {
          const order = {
            orderId: asString(name, reply[1]),
            productId: req.productId,
            userId: req.userId,
            quantity: req.quantity,
            amountCents: req.amountCents,
            createdAt: new Date(asInt(name, reply[2])),
            keyHash: req.idempotency?.keyHash ?? '',
          }
          return { ok: true, order, rate }
        }
        case 'PENDING':
          return { ok: true, order: parsePending(name, req.productId, asString(name, reply[1]), reply[2]), rate }
        case 'REPLAY':
          return { ok: false, reason: 'REPLAY', kind: asString(name, reply[1]), body: asString(name, reply[2]), rate }
        case 'IN_FLIGHT':
        case 'KEY_REUSED':
          return { ok: false, reason: reply[0] as 'IN_FLIGHT' | 'KEY_REUSED', rate }
        case 'NOT_LOADED':
          return { ok: false, reason: 'NOT_LOADED' }
        case 'NO_RESERVATION':
          return { ok: false, reason: 'NO_RESERVATION', orderId: asString(name, reply[1]), rate }
        case 'QUANTITY_EXCEEDS_RESERVATION':
          return { ok: false, reason: 'QUANTITY_EXCEEDS_RESERVATION', held: asInt(name, reply[1]), rate }
        case 'AMOUNT_MISMATCH':
          return { ok: false, reason: 'AMOUNT_MISMATCH', expectedCents: asInt(name, reply[1]), rate }
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async settle(req) {
      const p = keys.product(req.productId)
      const reply = await run(
        settleScript,
        [p.product, p.bought, p.pending, keys.pendingQueue, idemKey(req.record?.keyHash ?? req.keyHash)],
        [
          req.orderId ?? '',
          req.mode,
          req.record?.kind ?? '',
          req.record?.body ?? '',
          String(IDEMPOTENCY_TTL_MS),
          String(req.productId),
          req.claim ?? '',
        ],
      )
      return asInt(settleScript.name, reply)
    },

    async beginStockEdit(productId, total, token, leaseMs) {
      const name = stockEditScript.name
      const reply = asArray(name, await run(stockEditScript, keys.productArgs(productId), ['begin', token, String(total), String(leaseMs)]))
      switch (tagOf(name, reply)) {
        case 'OK':
          return { ok: true, previousTotal: asInt(name, reply[1]) }
        case 'BUSY':
          return { ok: false, reason: 'BUSY', leaseEndsAt: new Date(asInt(name, reply[1])) }
        case 'BELOW_COMMITTED':
          return { ok: false, reason: 'BELOW_COMMITTED', committed: asInt(name, reply[1]) }
        case 'NOT_LOADED':
          return { ok: false, reason: 'NOT_LOADED' }
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async endStockEdit(productId, token, committed) {
      const name = stockEditScript.name
      const args = ['end', token, committed ? String(committed.total) : '', committed ? String(committed.stockVersion) : '']
      const reply = asArray(name, await run(stockEditScript, keys.productArgs(productId), args))
      if (tagOf(name, reply) !== 'OK') throw new UnexpectedReplyError(name, reply)
    },

    async listPending(before, limit) {
      const name = listPendingScript.name
      const reply = asArray(name, await run(listPendingScript, [keys.pendingQueue], [String(before.getTime()), String(limit)]))
      return reply.map((value) => {
        const member = asString(name, value)
        const parts = member.split('|')
        if (parts.length !== 3) throw new UnexpectedReplyError(name, member)
        return { productId: asInt(name, parts[0]), orderId: parts[1]!, keyHash: parts[2]!, member }
      })
    },

    async claimPending(order, claimMs, before) {
      const name = claimPendingScript.name
      const reply = asArray(name, await runClaim(order, [String(claimMs), String(before.getTime())]))
      switch (tagOf(name, reply)) {
        case 'CLAIMED':
          return { ok: true, order: parsePending(name, order.productId, order.orderId, reply[1]), claim: String(asInt(name, reply[2])) }
        case 'BUSY':
        case 'SKIP':
        case 'GONE':
          return { ok: false, reason: reply[0] as 'BUSY' | 'SKIP' | 'GONE' }
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async unclaimPending(order, claim) {
      const reply = asArray(claimPendingScript.name, await runClaim(order, ['unclaim', claim]))
      if (tagOf(claimPendingScript.name, reply) !== 'UNCLAIMED') throw new UnexpectedReplyError(claimPendingScript.name, reply)
    },

    async inspect(productId) {
      const name = reconcileScript.name
      // (the repair-only arguments are left empty)
      const args = ['report', String(productId), '', '', '', '']
      const reply = asArray(name, await run(reconcileScript, [...keys.productArgs(productId), keys.pendingQueue], args))
      if (tagOf(name, reply) === 'NOT_LOADED') return undefined
      if (reply[0] !== 'REPORT' || reply.length % 2 !== 1) throw new UnexpectedReplyError(name, reply)
      // (reserved and pending, fields 4 and 5, are for people reading the reply)
      const [settled, total, sold, , , purged, healed, boughtMissing] = reply.slice(1, 9).map((v) => asInt(name, v)) as number[]
      return {
        settled: settled!,
        total: total!,
        sold: sold!,
        purged: purged!,
        healed: healed!,
        boughtMissing: boughtMissing === 1,
        pendingOrders: new Map(
          Array.from({ length: (reply.length - 9) / 2 }, (_, i) => [asString(name, reply[9 + 2 * i]), asInt(name, reply[10 + 2 * i])] as const),
        ),
      }
    },

    async repair(productId, report, truth) {
      const name = reconcileScript.name
      const args = [
        'repair',
        String(productId),
        String(report.settled),
        String(truth.sold),
        String(truth.total),
        String(truth.stockVersion),
        ...truth.recordedOrderIds,
      ]
      const reply = asArray(name, await run(reconcileScript, [...keys.productArgs(productId), keys.pendingQueue], args))
      const tag = tagOf(name, reply)
      if (tag === 'REPAIRED' || tag === 'RACED' || tag === 'NOT_LOADED') return tag
      throw new UnexpectedReplyError(name, reply)
    },
  }
}
