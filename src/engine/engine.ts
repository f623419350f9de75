import { createGuards } from './guards'
import { createKeys } from './keys'
import { createLedger } from './ledger'
import { createQueue, type Queue } from './queue'
import { refusal } from './refusals'
import type { ScriptPort } from './port'
import { asArray, asInt, asString, tagOf, UnexpectedReplyError } from './replies'
import { runScript, type LuaScript } from './run-script'
import { initProductScript, listHoldsScript, pingScript, releaseScript, reserveBulkScript, reserveScript, statusScript } from './scripts'
import type { Ledger } from './ledger'
import type {
  BulkItem,
  BulkResult,
  EngineOptions,
  Guard,
  HeldNow,
  Hold,
  ItemRef,
  NotLoaded,
  ProductInit,
  RateInfo,
  RateLimited,
  ReleaseResult,
  ReserveResult,
  StatusResult,
} from './types'

export type * from './ledger'
export type * from './queue'
export type * from './types'

/** The reservation engine: holds, checkout, the waiting room and the reconciler's tools, each one Lua script. */
export interface Engine extends Ledger, Queue {
  initProduct(id: number, p: ProductInit): Promise<void>
  /** reloads a live product's bought counts (their key was lost) from Postgres's orders */
  reloadBought(id: number, bought: Map<string, number>): Promise<void>
  /** `admitted`: the request came with a valid admission to the product's waiting room (checked by the caller) */
  reserve(userId: string, productId: number, quantity: number, guard?: Guard, admitted?: boolean): Promise<ReserveResult>
  reserveBulk(userId: string, items: BulkItem[], guard?: Guard): Promise<BulkResult>
  release(userId: string, productId: number, guard?: Guard): Promise<ReleaseResult>
  /** Counts a write refused before its script ran (bad token, failed challenge) against the address. */
  chargeAddress(address: string): Promise<RateLimited | { ok: true; rate?: RateInfo }>
  status(productId: number): Promise<StatusResult>
  listHolds(userId: string): Promise<Hold[]>
  /**
   * Resolves when Redis runs scripts, with its eviction policy when the server
   * tells it; throws StoreUnavailableError otherwise.
   */
  ping(): Promise<{ maxmemoryPolicy?: string }>
}

const NOT_LOADED: NotLoaded = { ok: false, reason: 'NOT_LOADED' }
/** Bought counts per init-product call: far below Lua's unpack and Redis's argument limits. */
const BOUGHT_CHUNK = 2000

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

/** A hold as a script answers it: quantity, expiry ms, may buy more ('' = no limit). */
function heldNow(script: string, quantity: unknown, expiresAt: unknown, more: unknown): HeldNow {
  return {
    quantity: asInt(script, quantity),
    expiresAt: new Date(asInt(script, expiresAt)),
    mayBuyMore: more === '' ? null : asInt(script, more),
  }
}

export function createEngine(port: ScriptPort, opts: EngineOptions): Engine {
  const keys = createKeys(opts.prefix)
  const holdMs = String(toMs('holdSeconds', opts.holdSeconds))
  const holdMaxMs = String(toMs('holdMaxSeconds', opts.holdMaxSeconds))

  const run = (script: LuaScript, k: string[], args: string[]) => runScript(port, script, k, args)
  const guards = createGuards(run, keys, opts)

  /**
   * init-product with a product's bought counts, in chunks. Creating: every
   * chunk but the last only loads counts ('bought'), the last creates.
   * Merging into a live product: every chunk merges.
   */
  async function loadBought(id: number, fields: string[], bought: Map<string, number> = new Map(), mode: 'create' | 'merge') {
    const pairs = [...bought]
    for (const [user, units] of pairs) {
      keys.userIndex(user) // the same user ids as everywhere
      assertCount('bought', units, 1)
    }
    for (let i = 0; ; i += BOUGHT_CHUNK) {
      const last = i + BOUGHT_CHUNK >= pairs.length
      const chunk = pairs.slice(i, i + BOUGHT_CHUNK).flatMap(([user, units]) => [user, String(units)])
      const chunkMode = last || mode === 'merge' ? mode : 'bought'
      asInt(initProductScript.name, await run(initProductScript, keys.productArgs(id), [...fields, chunkMode, ...chunk]))
      if (last) return
    }
  }

  return {
    ...createLedger(run, keys, guards),
    ...createQueue(run, keys, guards),

    async initProduct(id, p) {
      assertCount('total', p.total, 0)
      assertCount('sold', p.sold, 0)
      assertCount('stockVersion', p.stockVersion, 0)
      const room = p.waitingRoom ?? null
      if (room) {
        assertCount('admitPerSecond', room.admitPerSecond, 1)
        assertCount('admissionTtlSeconds', room.admissionTtlSeconds, 1)
      }
      const fields = [
        String(p.total),
        String(p.sold),
        optionalInt('priceCents', p.priceCents),
        optionalInt('maxPerUser', p.maxPerUser),
        optionalMs('saleStartsAt', p.saleStartsAt),
        optionalMs('saleEndsAt', p.saleEndsAt),
        p.name,
        String(p.stockVersion),
        room ? String(room.admitPerSecond) : '',
        room ? String(room.admissionTtlSeconds * 1000) : '',
        optionalInt('waitingRoomVersion', p.waitingRoomVersion ?? 0),
      ]
      await loadBought(id, fields, p.bought, 'create')
    },

    async reloadBought(id, bought) {
      // Only the bought counts move: init-product's other arguments are not read in this mode.
      await loadBought(id, Array<string>(11).fill(''), bought, 'merge')
    },

    async reserve(userId, productId, quantity, guard, admitted = false) {
      assertCount('quantity', quantity, 1)
      const name = reserveScript.name
      const g = guards.of(guard)
      if (g.refused) return g.refused
      const k = [...keys.productArgs(productId), keys.userIndex(userId), ...g.keys]
      const args = [userId, String(productId), String(quantity), holdMs, holdMaxMs, ...g.holdArgs, ...g.windowArgs, admitted ? '1' : '']
      const answer = await g.run(reserveScript, k, args)
      if (!('reply' in answer)) return answer
      const { reply, rate } = answer
      const tag = tagOf(name, reply)
      if (tag === 'OK') return { ok: true, ...heldNow(name, reply[1], reply[2], reply[3]), rate }
      if (tag === 'NOT_LOADED') return NOT_LOADED
      const r = refusal(name, tag, reply.slice(1))
      if (!r) throw new UnexpectedReplyError(name, reply)
      return { ...r, rate }
    },

    async reserveBulk(userId, items, guard) {
      if (items.length === 0) throw new RangeError('reserveBulk needs at least one item')
      const name = reserveBulkScript.name
      const g = guards.of(guard)
      if (g.refused) return g.refused
      const k = [keys.userIndex(userId), ...g.keys]
      const args = [userId, holdMs, holdMaxMs, ...g.holdArgs, ...g.windowArgs]
      for (const item of items) {
        assertCount('quantity', item.quantity, 1)
        k.push(...keys.productArgs(item.productId))
        args.push(String(item.productId), String(item.quantity), item.admitted ? '1' : '')
      }
      const answer = await g.run(reserveBulkScript, k, args)
      if (!('reply' in answer)) return answer
      const { reply, rate } = answer
      const tag = tagOf(name, reply)
      if (tag === 'OK') {
        if (reply.length !== 1 + 3 * items.length) throw new UnexpectedReplyError(name, reply)
        return {
          ok: true,
          items: items.map((item, i) => ({ productId: item.productId, ...heldNow(name, reply[1 + 3 * i], reply[2 + 3 * i], reply[3 + 3 * i]) })),
          rate,
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
      return { ...r, ...itemAt(reply[1]), rate }
    },

    async release(userId, productId, guard) {
      const name = releaseScript.name
      const g = guards.of(guard)
      if (g.refused) return g.refused
      const k = [...keys.productArgs(productId), keys.userIndex(userId), ...g.keys]
      const answer = await g.run(releaseScript, k, [userId, String(productId), ...g.windowArgs])
      if (!('reply' in answer)) return answer
      const { reply, rate } = answer
      switch (tagOf(name, reply)) {
        case 'OK':
          return { ok: true, released: asInt(name, reply[1]), rate }
        case 'NO_RESERVATION':
          return { ok: false, reason: 'NO_RESERVATION', rate }
        case 'NOT_LOADED':
          return NOT_LOADED
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    chargeAddress: (address) => guards.charge(address),

    async status(productId) {
      const name = statusScript.name
      const reply = asArray(name, await run(statusScript, [...keys.productArgs(productId), keys.line(productId).line], []))
      switch (tagOf(name, reply)) {
        case 'OK': {
          const [total, sold, reserved] = [1, 2, 3].map((i) => asInt(name, reply[i])) as [number, number, number]
          const productName = asString(name, reply[4])
          const waitingRoom = reply[5] === '' ? null : { admitPerSecond: asInt(name, reply[5]), admissionTtlSeconds: asInt(name, reply[6]) / 1000 }
          const queueLength = asInt(name, reply[7])
          return { ok: true, name: productName, total, sold, reserved, available: total - sold - reserved, waitingRoom, queueLength }
        }
        case 'NOT_LOADED':
          return NOT_LOADED
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async listHolds(userId) {
      const name = listHoldsScript.name
      const reply = asArray(name, await run(listHoldsScript, [keys.userIndex(userId)], []))
      if (reply.length % 4 !== 0) throw new UnexpectedReplyError(name, reply)
      const holds: Hold[] = []
      for (let i = 0; i < reply.length; i += 4) {
        holds.push({ productId: asInt(name, reply[i]), ...heldNow(name, reply[i + 1], reply[i + 2], reply[i + 3]) })
      }
      return holds
    },

    async ping() {
      const name = pingScript.name
      const reply = asArray(name, await run(pingScript, [], []))
      if (reply[0] !== 'PONG' || typeof reply[1] !== 'string') throw new UnexpectedReplyError(name, reply)
      return { maxmemoryPolicy: reply[1] || undefined }
    },
  }
}
