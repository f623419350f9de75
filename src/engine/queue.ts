import type { Guards } from './guards'
import type { Keys } from './keys'
import { asArray, asInt, tagOf, UnexpectedReplyError } from './replies'
import { refusal } from './refusals'
import type { LuaScript } from './run-script'
import { queueJoinScript, queuePollScript, waitingRoomScript } from './scripts'
import type { AddressLimitExceeded, Guard, NotLoaded, RateLimited, Rated, SaleNotActive, WaitingRoom } from './types'

/**
 * The waiting room side of the engine (docs/architecture.md, "Waiting
 * room"): a place in a product's line, where a place stands, and the room's
 * settings. A place is (epoch, seq): the line it is in, and its number in
 * order of arrival; the caller carries it (in a signed ticket), so polling
 * reads no per-place key.
 */

export interface Place {
  /** when the line began, ms: a place of another line is not this line's */
  epoch: number
  seq: number
}

export type JoinResult =
  | Rated<
      | ({ ok: true } & Place & ({ status: 'waiting'; position: number; waitMs: number | null } | { status: 'admitted'; position: 0; waitMs: 0 }))
      | { ok: false; reason: 'NO_WAITING_ROOM' | 'SOLD_OUT' }
      | SaleNotActive
      | AddressLimitExceeded
    >
  | NotLoaded
  | RateLimited

export type PollResult =
  | { ok: true; status: 'waiting'; position: number; waitMs: number }
  | { ok: true; status: 'admitted'; turnEndsAt: Date }
  | { ok: true; status: 'expired' }
  /** the line is paused: nothing is available, or the sale is over */
  | { ok: true; status: 'sold_out'; position: number }
  /** the place's line is not this one: it was let go, or lost */
  | { ok: true; status: 'gone' }
  | { ok: false; reason: 'NO_WAITING_ROOM' }
  | NotLoaded

export interface Queue {
  join(userId: string, productId: number, guard?: Guard): Promise<JoinResult>
  poll(productId: number, place: Place): Promise<PollResult>
  /** sets a live product's waiting room to what Postgres committed at `version` */
  setWaitingRoom(productId: number, room: WaitingRoom | null, version: number): Promise<'OK' | 'STALE' | 'NOT_LOADED'>
}

type Run = (script: LuaScript, keys: string[], args: string[]) => Promise<unknown>

export function createQueue(run: Run, keys: Keys, guards: Guards): Queue {
  const lineKeys = (productId: number) => {
    const l = keys.line(productId)
    return [...keys.productArgs(productId), l.line, l.places]
  }

  return {
    async join(userId, productId, guard) {
      const name = queueJoinScript.name
      keys.userIndex(userId) // the same user ids as everywhere
      const g = guards.of(guard)
      if (g.refused) return g.refused
      const answer = await g.run(queueJoinScript, [...lineKeys(productId), ...g.keys], [userId, ...g.holdArgs, ...g.windowArgs])
      if (!('reply' in answer)) return answer
      const { reply, rate } = answer
      const tag = tagOf(name, reply)
      switch (tag) {
        case 'OK': {
          const place = { epoch: asInt(name, reply[1]), seq: asInt(name, reply[2]) }
          if (reply[3] === 'admitted') return { ok: true, ...place, status: 'admitted', position: 0, waitMs: 0, rate }
          if (reply[3] !== 'waiting') throw new UnexpectedReplyError(name, reply)
          const waitMs = reply[5] === '' ? null : asInt(name, reply[5])
          return { ok: true, ...place, status: 'waiting', position: asInt(name, reply[4]), waitMs, rate }
        }
        case 'NOT_LOADED':
          return { ok: false, reason: 'NOT_LOADED' }
        case 'NO_WAITING_ROOM':
        case 'SOLD_OUT':
          return { ok: false, reason: tag, rate }
        case 'SALE_NOT_ACTIVE':
        case 'ADDRESS_LIMIT_EXCEEDED':
          return { ...(refusal(name, tag, reply.slice(1)) as SaleNotActive | AddressLimitExceeded), rate }
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async poll(productId, place) {
      const name = queuePollScript.name
      const reply = asArray(name, await run(queuePollScript, lineKeys(productId), [String(place.epoch), String(place.seq)]))
      switch (tagOf(name, reply)) {
        case 'WAITING':
          return { ok: true, status: 'waiting', position: asInt(name, reply[1]), waitMs: asInt(name, reply[2]) }
        case 'ADMITTED':
          return { ok: true, status: 'admitted', turnEndsAt: new Date(asInt(name, reply[1])) }
        case 'EXPIRED':
          return { ok: true, status: 'expired' }
        case 'SOLD_OUT':
          return { ok: true, status: 'sold_out', position: asInt(name, reply[1]) }
        case 'GONE':
          return { ok: true, status: 'gone' }
        case 'NO_WAITING_ROOM':
          return { ok: false, reason: 'NO_WAITING_ROOM' }
        case 'NOT_LOADED':
          return { ok: false, reason: 'NOT_LOADED' }
        default:
          throw new UnexpectedReplyError(name, reply)
      }
    },

    async setWaitingRoom(productId, room, version) {
      const name = waitingRoomScript.name
      const l = keys.line(productId)
      const args = room ? [String(room.admitPerSecond), String(room.admissionTtlSeconds * 1000)] : ['', '']
      const reply = asArray(name, await run(waitingRoomScript, [keys.product(productId).product, l.line, l.places], [...args, String(version)]))
      const tag = tagOf(name, reply)
      if (tag === 'OK' || tag === 'STALE' || tag === 'NOT_LOADED') return tag
      throw new UnexpectedReplyError(name, reply)
    },
  }
}
