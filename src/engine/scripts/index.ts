import { initProductScript } from './init-product.lua'
import { listHoldsScript } from './list-holds.lua'
import { pingScript } from './ping.lua'
import { purgeExpiredScript } from './purge-expired.lua'
import { releaseScript } from './release.lua'
import { reserveBulkScript } from './reserve-bulk.lua'
import { reserveScript } from './reserve.lua'
import { statusScript } from './status.lua'

export {
  initProductScript,
  listHoldsScript,
  pingScript,
  purgeExpiredScript,
  releaseScript,
  reserveBulkScript,
  reserveScript,
  statusScript,
}

/** Every script the engine runs (for tests and for preloading with SCRIPT LOAD). */
export const ALL_SCRIPTS = [
  initProductScript,
  reserveScript,
  reserveBulkScript,
  releaseScript,
  statusScript,
  listHoldsScript,
  purgeExpiredScript,
  pingScript,
] as const
