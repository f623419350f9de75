/**
 * Redis key layout of the reservation engine.
 *
 * Every key starts with the namespace wrapped in a hash tag, `{P}`, so all keys
 * of one namespace share one Redis Cluster slot and any script may touch any
 * of them (bulk reserve spans products and the user's index).
 *
 *   {P}:p:<id>         hash  name, total, sold, reserved, price, max_per_user,
 *                            sale_starts_at, sale_ends_at (ms; '' = none)
 *   {P}:p:<id>:exp     zset  user -> hold expiry (ms)
 *   {P}:p:<id>:qty     hash  user -> held quantity
 *   {P}:p:<id>:start   hash  user -> first reserve of the hold (ms, for the cap)
 *   {P}:u:<user>       zset  product -> hold expiry (ms): the user's index
 *   {P}:uq:<user>      hash  product -> held quantity (index companion)
 *   {P}:pending        hash  order id -> "product|user|qty|amount cents|created ms":
 *                            checkouts taken out of holds, not yet confirmed by Postgres
 *   {P}:pending:at     zset  order id -> created ms (the reconciler's queue)
 *   {P}:idem:<sha256>  hash  one Idempotency-Key: body hash, order id, state,
 *                            lease, and the first answer (status, body)
 *
 * The index quantity hash is `uq:<user>`, not `u:<user>:qty`: user ids may
 * contain ':', so `u:<user>:qty` of user "a" would be the index of user
 * "a:qty". Keys are only ever built here, never used as patterns.
 */
const PREFIX_RE = /^[A-Za-z0-9_.:-]{1,64}$/
const USER_RE = /^[A-Za-z0-9_.:@-]{1,128}$/

export interface ProductKeys {
  /** product hash */
  product: string
  /** hold expiry zset */
  exp: string
  /** hold quantity hash */
  qty: string
  /** hold first-reserve hash */
  start: string
}

export interface UserKeys {
  /** index zset: product -> expiry */
  index: string
  /** index hash: product -> quantity */
  indexQty: string
}

export interface Keys {
  readonly namespace: string
  product(id: number): ProductKeys
  user(userId: string): UserKeys
  pending(): { orders: string; at: string }
  /** `keyHash` is the hex sha256 of the client's Idempotency-Key. */
  idempotency(keyHash: string): string
}

export function assertProductId(id: number): void {
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`invalid product id: ${id}`)
}

export function assertUserId(userId: string): void {
  if (!USER_RE.test(userId)) throw new RangeError('invalid user id')
}

export function createKeys(prefix: string): Keys {
  if (!PREFIX_RE.test(prefix)) {
    throw new RangeError(`invalid key prefix ${JSON.stringify(prefix)}: 1-64 of letters, digits, _ . : -`)
  }
  const ns = `{${prefix}}`
  return {
    namespace: ns,
    product(id) {
      assertProductId(id)
      const p = `${ns}:p:${id}`
      return { product: p, exp: `${p}:exp`, qty: `${p}:qty`, start: `${p}:start` }
    },
    user(userId) {
      assertUserId(userId)
      return { index: `${ns}:u:${userId}`, indexQty: `${ns}:uq:${userId}` }
    },
    pending: () => ({ orders: `${ns}:pending`, at: `${ns}:pending:at` }),
    idempotency(keyHash) {
      if (!/^[0-9a-f]{64}$/.test(keyHash)) throw new RangeError('invalid idempotency key hash')
      return `${ns}:idem:${keyHash}`
    },
  }
}
