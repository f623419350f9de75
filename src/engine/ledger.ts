import type { Guards } from './guards'
import type { Keys } from './keys'
import { asArray, asInt, tagOf, UnexpectedReplyError } from './replies'
import type { LuaScript } from './run-script'
import { checkoutScript, listPendingScript, reconcileScript, setTotalScript, settleScript } from './scripts'
import type { Guard, RateLimited, Rated } from './types'

/**
 * The sale side of the engine: checkout into pending, settling pending orders
 * once Postgres has answered, stock changes and the reconciler's repairs.
 */

export interface PendingOrder {
  orderId: string
  productId: number
  userId: string
  quantity: number
  amountCents: number
  createdAt: Date
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
      | { ok: false; reason: 'REPLAY'; status: number; body: string }
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
   * confirm: Postgres has the order; give_back: it refused it, the units go
   * back on sale; release: no answer, the entry stays and the idempotency key
   * (`keyHash`) is free for a retry at once
   */
  mode: 'confirm' | 'give_back' | 'release'
  keyHash?: string
  /** the answer an idempotent request gave, replayed to its retries */
  record?: { keyHash: string; status: number; body: string }
}

export type SetTotalResult =
  | { ok: true; previousTotal: number }
  | { ok: false; reason: 'BELOW_COMMITTED'; committed: number }
  | { ok: false; reason: 'NOT_LOADED' }

export interface ProductReport {
  settled: number
  total: number
  sold: number
  reserved: number
  pending: number
  purged: number
}

export type RepairResult = { ok: true; total: number; sold: number } | { ok: false; reason: 'RACED' | 'NOT_LOADED' }

export interface Ledger {
  checkout(req: CheckoutRequest): Promise<CheckoutResult>
  settle(req: SettleRequest): Promise<number>
  setTotal(productId: number, total: number): Promise<SetTotalResult>
  /** pending orders created at or before `before`, oldest first */
  listPending(before: Date, limit: number): Promise<PendingOrder[]>
  /** sweeps expired holds and reports the counters; undefined when not loaded */
  inspect(productId: number): Promise<ProductReport | undefined>
  /** sets total and sold from Postgres unless a checkout moved since `report` */
  repair(productId: number, report: ProductReport, pg: { total: number; sold: number }): Promise<RepairResult>
}

/** How long an in-flight idempotent request owns its key, and how long its answer is kept. */
export const IDEMPOTENCY_LEASE_MS = 15_000
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000

function parsePending(script: string, orderId: string, entry: unknown): PendingOrder {
  const parts = typeof entry === 'string' ? entry.split('|') : []
  if (parts.length !== 5) throw new UnexpectedReplyError(script, entry)
  const [productId, userId, quantity, amountCents, createdMs] = parts as [string, string, string, string, string]
  return {
    orderId,
    productId: asInt(script, productId),
    userId,
    quantity: asInt(script, quantity),
    amountCents: asInt(script, amountCents),
    createdAt: new Date(asInt(script, createdMs)),
  }
}

type Run = (script: LuaScript, keys: string[], args: string[]) => Promise<unknown>

export function createLedger(run: Run, keys: Keys, guards: Guards): Ledger {
  const pending = keys.pending()
  const idemKey = (keyHash?: string) => (keyHash ? keys.idempotency(keyHash) : keys.unused)

  return {
    async checkout(req) {
      const name = checkoutScript.name
      const g = guards.of(req.guard)
      if (g.refused) return g.refused
      const answer = await g.run(
        checkoutScript,
        [
          ...keys.productArgs(req.productId),
          keys.userIndex(req.userId),
          pending.orders,
          pending.at,
          idemKey(req.idempotency?.keyHash),
          ...g.keys,
        ],
        [
          req.userId,
          String(req.productId),
          String(req.quantity),
          String(req.amountCents),
          req.orderId,
          req.idempotency?.requestHash ?? '',
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
            orderId: String(reply[1]),
            productId: req.productId,
            userId: req.userId,
            quantity: req.quantity,
            amountCents: req.amountCents,
            createdAt: new Date(asInt(name, reply[2])),
          }
          return { ok: true, order, rate }
        }
        case 'PENDING':
          return { ok: true, order: parsePending(name, String(reply[1]), reply[2]), rate }
        case 'REPLAY':
          return { ok: false, reason: 'REPLAY', status: asInt(name, reply[1]), body: String(reply[2]), rate }
        case 'IN_FLIGHT':
        case 'KEY_REUSED':
          return { ok: false, reason: reply[0] as 'IN_FLIGHT' | 'KEY_REUSED', rate }
        case 'NOT_LOADED':
          return { ok: false, reason: 'NOT_LOADED' }
        case 'NO_RESERVATION':
          return { ok: false, reason: 'NO_RESERVATION', orderId: String(reply[1]), rate }
        case 'QUANTITY_EXCEEDS_RESERVATION':
          return { ok: false, reason: 'QUANTITY_EXCEEDS_RESERVATION', held: asInt(name, reply[1]), rate }
        case 'AMOUNT_MISMATCH':
          return { ok: false, reason: 'AMOUNT_MISMATCH', expectedCents: asInt(name, reply[1]), rate }
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async settle(req) {
      const product = keys.product(req.productId)
      const reply = await run(
        settleScript,
        [product.product, product.bought, pending.orders, pending.at, idemKey(req.record?.keyHash ?? req.keyHash)],
        [req.orderId ?? '', req.mode, req.record ? String(req.record.status) : '', req.record?.body ?? '', String(IDEMPOTENCY_TTL_MS)],
      )
      return asInt(settleScript.name, reply)
    },

    async setTotal(productId, total) {
      const name = setTotalScript.name
      const reply = asArray(name, await run(setTotalScript, keys.productArgs(productId), [String(total)]))
      switch (tagOf(name, reply)) {
        case 'OK':
          return { ok: true, previousTotal: asInt(name, reply[1]) }
        case 'BELOW_COMMITTED':
          return { ok: false, reason: 'BELOW_COMMITTED', committed: asInt(name, reply[1]) }
        case 'NOT_LOADED':
          return { ok: false, reason: 'NOT_LOADED' }
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async listPending(before, limit) {
      const name = listPendingScript.name
      const reply = asArray(name, await run(listPendingScript, [pending.orders, pending.at], [String(before.getTime()), String(limit)]))
      const orders: PendingOrder[] = []
      for (let i = 0; i + 1 < reply.length; i += 2) orders.push(parsePending(name, String(reply[i]), reply[i + 1]))
      return orders
    },

    async inspect(productId) {
      const name = reconcileScript.name
      const reply = asArray(name, await run(reconcileScript, keys.productArgs(productId), ['', '', '']))
      if (tagOf(name, reply) === 'NOT_LOADED') return undefined
      if (reply[0] !== 'REPORT') throw new UnexpectedReplyError(name, reply)
      const [settled, total, sold, reserved, pendingUnits, purged] = reply.slice(1).map((v) => asInt(name, v))
      return { settled: settled!, total: total!, sold: sold!, reserved: reserved!, pending: pendingUnits!, purged: purged! }
    },

    async repair(productId, report, pg) {
      const name = reconcileScript.name
      const args = [String(report.settled), String(pg.sold), String(pg.total)]
      const reply = asArray(name, await run(reconcileScript, keys.productArgs(productId), args))
      switch (tagOf(name, reply)) {
        case 'REPAIRED':
          return { ok: true, total: asInt(name, reply[1]), sold: asInt(name, reply[2]) }
        case 'RACED':
        case 'NOT_LOADED':
          return { ok: false, reason: reply[0] as 'RACED' | 'NOT_LOADED' }
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },
  }
}
