/**
 * Redis key layout of the reservation engine (docs/architecture.md, "Redis keys").
 *
 * Every key starts with the namespace wrapped in a hash tag, `{P}`, so all keys
 * of one namespace share one Redis Cluster slot and any script may touch any
 * of them (bulk reserve spans products and the user's index).
 *
 *   {P}:p:<id>          hash  name, total, sold, reserved, pending, settled, price,
 *                             max_per_user, sale_starts_at, sale_ends_at (ms; '' = none),
 *                             total_version (the Postgres stock_version of total),
 *                             edit, edit_until (the lease of a stock edit in progress),
 *                             wr_rate, wr_ttl (the waiting room: admits per second, turn ms;
 *                             '' = none), wr_version (Postgres's waiting_room_version)
 *   {P}:p:<id>:exp      zset  user -> hold expiry (ms)
 *   {P}:p:<id>:hold     hash  user -> "qty|first reserve ms|expiry ms|address" (the start caps
 *                             the hold's life; address '' when not counted)
 *   {P}:p:<id>:addr     hash  client address -> units it holds (MAX_HELD_PER_ADDRESS)
 *   {P}:p:<id>:bought   hash  user -> units bought or pending (products with max_per_user)
 *   {P}:p:<id>:pending  hash  order id -> "user|qty|amount cents|created ms|key hash":
 *                             checkouts taken out of holds, not yet confirmed by Postgres
 *   {P}:p:<id>:q        hash  the waiting room's line: user -> place (1, 2, … in order of
 *                             arrival, base 36), and the line's own fields '#epoch' (ms it
 *                             began), '#joined', '#head', '#clock', '#head_at' (how far
 *                             admission has come; docs/architecture.md, "Waiting room")
 *   {P}:p:<id>:qa       hash  client address (its 4 or 8 bytes) -> places it took in the line
 *                             (MAX_HELD_PER_ADDRESS)
 *   {P}:u:<user>        hash  product -> "qty|expiry ms|may buy more": the user's index,
 *                             for listing; lives until the user's latest hold expires
 *   {P}:pending:at      zset  "product|order id|key hash" -> created ms, or the end of a
 *                             reconciler's claim on it (the reconciler's queue)
 *   {P}:idem:<sha256>   hash  one customer's Idempotency-Key: body hash, order id,
 *                             state, lease, and the first answer (kind, body)
 *   {P}:rl:a:<address>  hash  sliding window of one client address's writes
 *   {P}:rl:c:<customer> hash  sliding window of one customer's writes
 *
 * A product's own keys say everything about its holds; the user index is
 * derived from them (written by the same scripts) and may keep entries whose
 * hold expired, which listing skips. Keys are only ever built here, never used
 * as patterns.
 */
/** A key namespace (REDIS_PREFIX): never a glob character, a hash-tag brace or a key separator. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/
const USER_RE = /^[A-Za-z0-9_.:@-]{1,128}$/
/** A normalized client address (see src/limits/address.ts) or a customer identity built from one. */
const RATE_ID_RE = /^[A-Za-z0-9_.:@|/-]{1,200}$/

export interface ProductKeys {
  /** product hash */
  product: string
  /** hold expiry zset */
  exp: string
  /** hold hash: user -> "qty|first reserve ms|expiry ms|address" */
  hold: string
  /** units held per client address */
  addr: string
  /** units bought per user */
  bought: string
  /** pending checkouts */
  pending: string
}

/** A product's waiting room: the line (user -> place, and the line's state) and the places per address. */
export interface LineKeys {
  line: string
  places: string
}

export interface Keys {
  readonly namespace: string
  product(id: number): ProductKeys
  line(id: number): LineKeys
  /** A product's keys in the order every product script takes them: product, exp, hold, addr, bought, pending. */
  productArgs(id: number): [string, string, string, string, string, string]
  /** index hash of a user's holds: product -> "qty|expiry|may buy more" */
  userIndex(userId: string): string
  /** the reconciler's queue of pending checkouts, across products */
  pendingQueue: string
  /** `keyHash` is the hex sha256 of the customer and the client's Idempotency-Key. */
  idempotency(keyHash: string): string
  /** The sliding-window key of a client address ('a') or a customer ('c'). */
  rate(scope: 'a' | 'c', id: string): string
  /** A key no script writes: KEYS stay complete when a script has nothing to do with one. */
  readonly unused: string
}

export function assertProductId(id: number): void {
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`invalid product id: ${id}`)
}

export function assertUserId(userId: string): void {
  if (!USER_RE.test(userId)) throw new RangeError('invalid user id')
}

export function createKeys(prefix: string): Keys {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new RangeError(`invalid key prefix ${JSON.stringify(prefix)}: 1-64 of letters, digits, _ . -`)
  }
  const ns = `{${prefix}}`
  const product = (id: number): ProductKeys => {
    assertProductId(id)
    const p = `${ns}:p:${id}`
    return { product: p, exp: `${p}:exp`, hold: `${p}:hold`, addr: `${p}:addr`, bought: `${p}:bought`, pending: `${p}:pending` }
  }
  return {
    namespace: ns,
    product,
    productArgs(id) {
      const p = product(id)
      return [p.product, p.exp, p.hold, p.addr, p.bought, p.pending]
    },
    line(id) {
      const p = product(id).product
      return { line: `${p}:q`, places: `${p}:qa` }
    },
    userIndex(userId) {
      assertUserId(userId)
      return `${ns}:u:${userId}`
    },
    pendingQueue: `${ns}:pending:at`,
    idempotency(keyHash) {
      if (!/^[0-9a-f]{64}$/.test(keyHash)) throw new RangeError('invalid idempotency key hash')
      return `${ns}:idem:${keyHash}`
    },
    rate(scope, id) {
      if (!RATE_ID_RE.test(id)) throw new RangeError('invalid rate limit identity')
      return `${ns}:rl:${scope}:${id}`
    },
    unused: `${ns}:-`,
  }
}
