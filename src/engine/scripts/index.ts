import { checkoutScript } from './checkout.lua'
import { claimPendingScript } from './claim-pending.lua'
import { initProductScript } from './init-product.lua'
import { listHoldsScript } from './list-holds.lua'
import { listPendingScript } from './list-pending.lua'
import { pingScript } from './ping.lua'
import { queueJoinScript } from './queue-join.lua'
import { queuePollScript } from './queue-poll.lua'
import { rateHitScript } from './rate-hit.lua'
import { reconcileScript } from './reconcile.lua'
import { releaseScript } from './release.lua'
import { reserveBulkScript } from './reserve-bulk.lua'
import { reserveScript } from './reserve.lua'
import { settleScript } from './settle.lua'
import { statusScript } from './status.lua'
import { stockEditScript } from './stock-edit.lua'
import { waitingRoomScript } from './waiting-room.lua'

export {
  checkoutScript,
  claimPendingScript,
  initProductScript,
  listHoldsScript,
  listPendingScript,
  pingScript,
  queueJoinScript,
  queuePollScript,
  rateHitScript,
  reconcileScript,
  releaseScript,
  reserveBulkScript,
  reserveScript,
  settleScript,
  statusScript,
  stockEditScript,
  waitingRoomScript,
}

/** Every script the engine runs (the SHA and header tests go through them all). */
export const ALL_SCRIPTS = [
  initProductScript,
  reserveScript,
  reserveBulkScript,
  releaseScript,
  statusScript,
  listHoldsScript,
  pingScript,
  rateHitScript,
  checkoutScript,
  settleScript,
  stockEditScript,
  listPendingScript,
  claimPendingScript,
  reconcileScript,
  queueJoinScript,
  queuePollScript,
  waitingRoomScript,
] as const
