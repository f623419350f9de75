import { createKeys } from './keys'
import { createLedger } from './ledger'
import type { ScriptPort } from './port'
import { asArray, asInt, tagOf, UnexpectedReplyError } from './replies'
import { runScript, type LuaScript } from './run-script'
import {
  initProductScript,
  listHoldsScript,
  pingScript,
  purgeExpiredScript,
  releaseScript,
  reserveBulkScript,
  reserveScript,
  statusScript,
} from './scripts'
import type {
  Engine,
  EngineOptions,
  Hold,
  InsufficientStock,
  ItemRef,
  LimitExceeded,
  NotLoaded,
  SaleNotActive,
} from './types'

export type * from './types'

const NOT_LOADED: NotLoaded = { ok: false, reason: 'NOT_LOADED' }

function assertCount(what: string, n: number, min: number): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`invalid ${what}: ${n}`)
}

function optionalInt(what: string, n: number | null): string {
  if (n === null) return ''
  assertCount(what, n, 0)
  return String(n)
}

function optionalMs(what: string, d: Date | null): string {
  if (d === null) return ''
  const ms = d.getTime()
  if (!Number.isFinite(ms)) throw new RangeError(`invalid ${what}`)
  return String(ms)
}

function toMs(what: string, seconds: number): number {
  const ms = Math.round(seconds * 1000)
  if (!Number.isFinite(seconds) || ms < 1) throw new RangeError(`invalid ${what}: ${seconds}`)
  return ms
}

/**
 * A refusal shared by reserve and bulk, read from `reply` after its tag
 * (and after the item number, for bulk). Undefined for an unknown tag.
 */
function refusal(
  script: string,
  tag: string,
  fields: unknown[],
): SaleNotActive | InsufficientStock | LimitExceeded | undefined {
  switch (tag) {
    case 'SALE_NOT_ACTIVE':
      return { ok: false, reason: 'SALE_NOT_ACTIVE' }
    case 'INSUFFICIENT_STOCK':
      return { ok: false, reason: 'INSUFFICIENT_STOCK', available: asInt(script, fields[0]) }
    case 'LIMIT_EXCEEDED':
      return {
        ok: false,
        reason: 'LIMIT_EXCEEDED',
        maxPerUser: asInt(script, fields[0]),
        held: asInt(script, fields[1]),
      }
    default:
      return undefined
  }
}

export function createEngine(port: ScriptPort, opts: EngineOptions): Engine {
  const keys = createKeys(opts.prefix)
  const holdMs = String(toMs('holdSeconds', opts.holdSeconds))
  const holdMaxMs = String(toMs('holdMaxSeconds', opts.holdMaxSeconds))

  const run = (script: LuaScript, k: string[], args: string[]) => runScript(port, script, k, args)
  const userKeys = (userId: string) => [keys.user(userId).index]

  return {
    ...createLedger(run, keys),

    async initProduct(id, p) {
      assertCount('total', p.total, 0)
      assertCount('sold', p.sold, 0)
      const args = [
        String(p.total),
        String(p.sold),
        optionalInt('priceCents', p.priceCents),
        optionalInt('maxPerUser', p.maxPerUser),
        optionalMs('saleStartsAt', p.saleStartsAt),
        optionalMs('saleEndsAt', p.saleEndsAt),
        p.name,
      ]
      const reply = await run(initProductScript, keys.productArgs(id), args)
      return asInt(initProductScript.name, reply) === 1
    },

    async reserve(userId, productId, quantity) {
      assertCount('quantity', quantity, 1)
      const name = reserveScript.name
      const k = [...keys.productArgs(productId), ...userKeys(userId)]
      const args = [userId, String(productId), String(quantity), holdMs, holdMaxMs]
      const reply = asArray(name, await run(reserveScript, k, args))
      const tag = tagOf(name, reply)
      if (tag === 'OK') {
        return { ok: true, quantity: asInt(name, reply[1]), expiresAt: new Date(asInt(name, reply[2])) }
      }
      if (tag === 'NOT_LOADED') return NOT_LOADED
      const r = refusal(name, tag, reply.slice(1))
      if (!r) throw new UnexpectedReplyError(name, reply)
      return r
    },

    async reserveBulk(userId, items) {
      if (items.length === 0) throw new RangeError('reserveBulk needs at least one item')
      const name = reserveBulkScript.name
      const k = userKeys(userId)
      const args = [userId, holdMs, holdMaxMs]
      for (const item of items) {
        assertCount('quantity', item.quantity, 1)
        k.push(...keys.productArgs(item.productId))
        args.push(String(item.productId), String(item.quantity))
      }
      const reply = asArray(name, await run(reserveBulkScript, k, args))
      const tag = tagOf(name, reply)
      if (tag === 'OK') {
        if (reply.length !== 1 + 2 * items.length) throw new UnexpectedReplyError(name, reply)
        return {
          ok: true,
          items: items.map((item, i) => ({
            productId: item.productId,
            quantity: asInt(name, reply[1 + 2 * i]),
            expiresAt: new Date(asInt(name, reply[2 + 2 * i])),
          })),
        }
      }
      const itemAt = (v: unknown): ItemRef => {
        const index = asInt(name, v) - 1
        const item = items[index]
        if (!item) throw new UnexpectedReplyError(name, reply)
        return { index, productId: item.productId }
      }
      if (tag === 'NOT_LOADED') {
        const missing = reply.slice(1).map(itemAt)
        const first = missing[0]
        if (!first) throw new UnexpectedReplyError(name, reply)
        return { ...NOT_LOADED, ...first, missingProductIds: [...new Set(missing.map((m) => m.productId))] }
      }
      const r = refusal(name, tag, reply.slice(2))
      if (!r) throw new UnexpectedReplyError(name, reply)
      return { ...r, ...itemAt(reply[1]) }
    },

    async release(userId, productId) {
      const name = releaseScript.name
      const k = [...keys.productArgs(productId), ...userKeys(userId)]
      const reply = asArray(name, await run(releaseScript, k, [userId, String(productId)]))
      switch (tagOf(name, reply)) {
        case 'OK':
          return { ok: true, released: asInt(name, reply[1]) }
        case 'NO_RESERVATION':
          return { ok: false, reason: 'NO_RESERVATION' }
        case 'NOT_LOADED':
          return NOT_LOADED
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async status(productId) {
      const name = statusScript.name
      const reply = asArray(name, await run(statusScript, keys.productArgs(productId), []))
      switch (tagOf(name, reply)) {
        case 'OK': {
          const [total, sold, reserved] = [1, 2, 3].map((i) => asInt(name, reply[i])) as [number, number, number]
          const productName = typeof reply[4] === 'string' ? reply[4] : ''
          return { ok: true, name: productName, total, sold, reserved, available: total - sold - reserved }
        }
        case 'NOT_LOADED':
          return NOT_LOADED
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async listHolds(userId) {
      const name = listHoldsScript.name
      const reply = asArray(name, await run(listHoldsScript, userKeys(userId), []))
      if (reply.length % 3 !== 0) throw new UnexpectedReplyError(name, reply)
      const holds: Hold[] = []
      for (let i = 0; i < reply.length; i += 3) {
        holds.push({
          productId: asInt(name, reply[i]),
          quantity: asInt(name, reply[i + 1]),
          expiresAt: new Date(asInt(name, reply[i + 2])),
        })
      }
      return holds
    },

    async purgeExpired(productId) {
      return asInt(purgeExpiredScript.name, await run(purgeExpiredScript, keys.productArgs(productId), []))
    },

    async ping() {
      const reply = await run(pingScript, [], [])
      if (reply !== 'PONG') throw new UnexpectedReplyError(pingScript.name, reply)
    },
  }
}
