import { updateWaitingRoom } from '../db/products'
import type { Deps } from '../deps'
import type { Guard, WaitingRoom } from '../engine'
import { AppError } from '../errors/app-error'
import { issueAdmission, issueTicket, readTicket, requireQueueSecret } from './admission'
import { productNotFound, productVanished, rateLimited } from './errors'
import { withHydration } from './hydrate'
import type { LineStatus, PlaceInLine, Product, Rated } from './types'

/**
 * A product's waiting room (docs/architecture.md, "Waiting room"): a place
 * in line is one Redis command to take and one to look at, with no
 * background worker; admission is computed from Redis time at each call.
 */

/** How long to wait before asking again, in seconds: a quarter of the expected wait (never past the turn), 1 to 60 s. */
const POLL_MIN_S = 1
const POLL_MAX_S = 60
/** When there is nothing to count down to: the line is paused (units held may lapse), or the place is settled. */
const POLL_IDLE_S = 5

const pollAfter = (waitMs: number | null) => (waitMs === null ? POLL_IDLE_S : Math.min(POLL_MAX_S, Math.max(POLL_MIN_S, Math.ceil(waitMs / 4000))))

const noWaitingRoom = (productId: number) =>
  new AppError('NO_WAITING_ROOM', `Product ${productId} has no waiting room`, { details: [{ product_id: String(productId) }] })

const noTicket = (productId: number) =>
  new AppError('TICKET_NOT_FOUND', `No such ticket in the line of product ${productId}`, { details: [{ product_id: String(productId) }] })

/** Takes a place in the product's line for the user, or gives back the place they have. */
export async function joinLine(deps: Deps, userId: string, productId: number, guard: Guard): Promise<Rated<PlaceInLine>> {
  // Before the store: a place is never taken without a ticket to show for it.
  requireQueueSecret(deps.config)
  const r = await withHydration(deps, [productId], () => deps.engine.join(userId, productId, guard))
  if (r.ok) {
    const ticket = await issueTicket(deps.config, { productId, epoch: r.epoch, seq: r.seq, userId })
    return { value: { ticket, status: r.status, position: r.position, pollAfterSeconds: pollAfter(r.waitMs) }, rate: r.rate }
  }
  const at = { product_id: String(productId) }
  switch (r.reason) {
    case 'NOT_LOADED':
      throw productVanished()
    case 'RATE_LIMITED':
      throw rateLimited(deps, r)
    case 'NO_WAITING_ROOM':
      throw noWaitingRoom(productId).withRate(r.rate)
    case 'SALE_NOT_ACTIVE':
      throw new AppError('SALE_NOT_ACTIVE', `The sale of product ${productId} is not active`, { details: [at] }).withRate(r.rate)
    case 'SOLD_OUT':
      throw new AppError('SOLD_OUT', `Product ${productId} is sold out: nothing is left to wait for`, {
        details: [{ ...at, available: 0 }],
      }).withRate(r.rate)
    case 'ADDRESS_LIMIT_EXCEEDED':
      throw new AppError(
        'ADDRESS_LIMIT_EXCEEDED',
        `This network already has ${r.heldByAddress} of the ${r.maxHeldPerAddress} place(s) in the line of product ${productId} one network may have`,
        { details: [{ ...at, max_held_per_address: r.maxHeldPerAddress, held_by_address: r.heldByAddress }] },
      ).withRate(r.rate)
  }
}

/** Where a ticket's place stands; once admitted, with the admission token to reserve with. */
export async function placeInLine(deps: Deps, productId: number, ticketText: string): Promise<LineStatus> {
  const ticket = await readTicket(deps.config, ticketText)
  if (!ticket || ticket.productId !== productId) throw noTicket(productId)
  const r = await withHydration(deps, [productId], () => deps.engine.poll(productId, ticket))
  if (!r.ok) {
    if (r.reason === 'NOT_LOADED') throw productVanished()
    throw noWaitingRoom(productId)
  }
  switch (r.status) {
    case 'waiting':
      return { status: 'waiting', position: r.position, estimatedWaitSeconds: Math.ceil(r.waitMs / 1000), pollAfterSeconds: pollAfter(r.waitMs) }
    case 'admitted': {
      const admission = { productId, userId: ticket.userId, expiresAt: r.turnEndsAt }
      const token = await issueAdmission(deps.config, admission)
      return {
        status: 'admitted',
        position: 0,
        estimatedWaitSeconds: 0,
        admission: { token, expiresAt: r.turnEndsAt },
        pollAfterSeconds: POLL_IDLE_S,
      }
    }
    case 'sold_out':
      return { status: 'sold_out', position: r.position, estimatedWaitSeconds: 0, pollAfterSeconds: POLL_IDLE_S }
    // A place whose line was let go (paused over a day) or lost in Redis: its turn is over, and joining again gives a new one.
    case 'expired':
    case 'gone':
      return { status: 'expired', position: 0, estimatedWaitSeconds: 0, pollAfterSeconds: POLL_IDLE_S }
  }
}

/**
 * Sets or removes a product's waiting room: Postgres first (the truth, with a
 * new waiting_room_version), then the live product in Redis, unless Redis
 * already has a later version. A product not in Redis gets it when loaded.
 */
export async function setWaitingRoom(deps: Deps, productId: number, room: WaitingRoom | null): Promise<Product> {
  const row = await updateWaitingRoom(deps.db, productId, room)
  if (!row) throw productNotFound(productId)
  // Redis not answering is a 503 with the change committed in Postgres: the same PATCH again brings Redis along.
  await deps.engine.setWaitingRoom(productId, room, row.waitingRoomVersion)
  return row
}
