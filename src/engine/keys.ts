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
 *   {P}:p:<id>:hold    hash  user -> "qty|first reserve ms" (the start caps the hold's life)
 *   {P}:u:<user>       hash  product -> "qty|expiry ms": the user's index, for listing;
 *                            lives until the user's latest hold expires
 *   {P}:pending        hash  order id -> "product|user|qty|amount cents|created ms":
 *                            checkouts taken out of holds, not yet confirmed by Postgres
 *   {P}:pending:at     zset  order id -> created ms (the reconciler's queue)
 *   {P}:idem:<sha256>  hash  one Idempotency-Key: body hash, order id, state,
 *                            lease, and the first answer (status, body)
 *
 * A product's own keys say everything about its holds; the user index is
 * derived from them (written by the same scripts) and may keep entries whose
 * hold expired, which listing skips. Keys are only ever built here, never used
 * as patterns.
 */
const PREFIX_RE = /^[A-Za-z0-9_.:-]{1,64}$/
const USER_RE = /^[A-Za-z0-9_.:@-]{1,128}$/

export interface ProductKeys {
  /** product hash */
  product: string
  /** hold expiry zset */
  exp: string
  /** hold hash: user -> "qty|start" */
  hold: string
}

export interface UserKeys {
  /** index hash: product -> "qty|expiry" */
  index: string
}

export interface Keys {
  readonly namespace: string
  product(id: number): ProductKeys
  /** A product's keys in the order every product script takes them first: KEYS[1..3]. */
  productArgs(id: number): [string, string, string]
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
  const product = (id: number): ProductKeys => {
    assertProductId(id)
    const p = `${ns}:p:${id}`
    return { product: p, exp: `${p}:exp`, hold: `${p}:hold` }
  }
  return {
    namespace: ns,
    product,
    productArgs(id) {
      const p = product(id)
      return [p.product, p.exp, p.hold]
    },
    user(userId) {
      assertUserId(userId)
      return { index: `${ns}:u:${userId}` }
    },
    pending: () => ({ orders: `${ns}:pending`, at: `${ns}:pending:at` }),
    idempotency(keyHash) {
      if (!/^[0-9a-f]{64}$/.test(keyHash)) throw new RangeError('invalid idempotency key hash')
      return `${ns}:idem:${keyHash}`
    },
  }
}
