import { checkoutScript } from './checkout.lua'
import { initProductScript } from './init-product.lua'
import { listPendingScript } from './list-pending.lua'
import { listHoldsScript } from './list-holds.lua'
import { pingScript } from './ping.lua'
import { rateHitScript } from './rate-hit.lua'
import { reconcileScript } from './reconcile.lua'
import { releaseScript } from './release.lua'
import { reserveBulkScript } from './reserve-bulk.lua'
import { reserveScript } from './reserve.lua'
import { setTotalScript } from './set-total.lua'
import { settleScript } from './settle.lua'
import { statusScript } from './status.lua'

export {
  checkoutScript,
  initProductScript,
  listPendingScript,
  listHoldsScript,
  pingScript,
  rateHitScript,
  reconcileScript,
  releaseScript,
  reserveBulkScript,
  reserveScript,
  setTotalScript,
  settleScript,
  statusScript,
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
  checkoutScript,
  settleScript,
  setTotalScript,
  listPendingScript,
  reconcileScript,
  rateHitScript,
] as const
