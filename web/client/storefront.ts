/**
 * The storefront at `/`: the drops on sale with live stock, the shopper's
 * holds (with their countdown) and orders. `/?product=12` shows one drop.
 */
import { api, ApiError, call, newIdempotencyKey, type Hold, type Order, type Product } from './api'
import { durationInWords, formatTime } from './clock'
import { busy, byId, fill, h, say, times } from './dom'
import { DropCard, type Shop } from './drop-card'
import { poll } from './poll'
import { explain } from './refusals'
import { countdown } from './ticker'

const STATUS_EVERY_MS = 2000
const ACCOUNT_EVERY_MS = 20_000
const LIST_EVERY_MS = 30_000
const SHOPPER_KEY = 'flash-deal:shopper'
const USER_ID = /^[A-Za-z0-9_.:@-]{1,128}$/

const el = {
  shopperForm: byId<HTMLFormElement>('shopper-form'),
  shopperId: byId<HTMLInputElement>('shopper-id'),
  shopperNote: byId<HTMLParagraphElement>('shopper-note'),
  holds: byId<HTMLUListElement>('holds'),
  holdsEmpty: byId<HTMLParagraphElement>('holds-empty'),
  holdsNote: byId<HTMLParagraphElement>('holds-note'),
  drops: byId<HTMLUListElement>('drops'),
  dropsNote: byId<HTMLParagraphElement>('drops-note'),
  liveNote: byId<HTMLParagraphElement>('live-note'),
  more: byId<HTMLButtonElement>('drops-more'),
  orders: byId<HTMLUListElement>('orders'),
  ordersEmpty: byId<HTMLParagraphElement>('orders-empty'),
  announcer: byId<HTMLDivElement>('announce'),
}

const cards = new Map<string, DropCard>()
const products = new Map<string, Product>()
let holds: Hold[] = []
let nextCursor: string | null = null
/** One Idempotency-Key per purchase, kept until the API gave a definite answer, so a retry cannot buy twice. */
const purchaseKeys = new Map<string, string>()

function initialShopper(): string {
  let saved: string | null = null
  try {
    saved = localStorage.getItem(SHOPPER_KEY)
  } catch {
    // storage may be off; the shopper name is then per page load
  }
  if (saved && USER_ID.test(saved)) return saved
  return `shopper-${newIdempotencyKey().slice(0, 6)}`
}

let userId = initialShopper()

const shop: Shop = {
  userId: () => userId,
  held: (hold) => {
    holds = [...holds.filter((x) => x.product_id !== hold.product_id), hold]
    renderHolds()
    document.getElementById(`hold-${hold.product_id}`)?.scrollIntoView({ block: 'nearest' })
    void loadAccount()
  },
  announce,
  refresh: () => statusPoller.now(),
}

function announce(text: string): void {
  // Cleared first so that the same words twice are announced twice.
  el.announcer.textContent = ''
  setTimeout(() => (el.announcer.textContent = text), 50)
}

const nameOf = (productId: string) => products.get(productId)?.name ?? `Drop #${productId}`

// Drops

function addProducts(list: Product[], atTop = false): void {
  let added = false
  // Newest first: drops new since the last read go above the others, in the list's order.
  for (const product of atTop ? [...list].reverse() : list) {
    products.set(product.id, product)
    const card = cards.get(product.id)
    if (card) {
      card.setProduct(product)
      continue
    }
    const fresh = new DropCard(product, shop)
    cards.set(product.id, fresh)
    if (atTop) el.drops.prepend(fresh.el)
    else el.drops.append(fresh.el)
    added = true
  }
  say(el.dropsNote, cards.size ? '' : 'No drops on sale right now.')
  if (added) statusPoller.now()
}

async function loadDrops(cursor?: string): Promise<void> {
  const only = new URLSearchParams(location.search).get('product')
  if (only) {
    const { data } = await api.product(only)
    addProducts([data])
    return
  }
  const { data } = await api.products(cursor)
  addProducts(data.products, cursor === undefined)
  if (cursor !== undefined || nextCursor === null) nextCursor = data.next_cursor
  el.more.hidden = nextCursor === null
}

function dropsFailed(err: unknown): void {
  const missing = err instanceof ApiError && (err.status === 404 || err.status === 405) && err.code !== 'PRODUCT_NOT_FOUND'
  say(el.dropsNote, missing ? 'This shop cannot list its drops yet. Open a drop by its link, like /?product=1.' : explain(err), 'error')
}

el.more.addEventListener(
  'click',
  () =>
    void busy(el.more, async () => {
      if (nextCursor) await loadDrops(nextCursor).catch(dropsFailed)
    }),
)

const statusPoller = poll(
  async (signal) => {
    const reads = await Promise.allSettled([...cards.keys()].map((id) => api.status(id, signal)))
    let failed: unknown
    for (const read of reads) {
      if (read.status === 'fulfilled') cards.get(read.value.data.product_id)?.setStatus(read.value.data)
      else failed ??= read.reason
    }
    if (failed) throw failed // the poller waits as long as a 429 or 503 asks
  },
  {
    everyMs: STATUS_EVERY_MS,
    reads: () => cards.size,
    onPause: (seconds) => say(el.liveNote, `Live stock paused for ${durationInWords(seconds)}: the shop asked this page to slow down.`),
    onPace: (seconds) =>
      say(
        el.liveNote,
        seconds * 1000 > 2 * STATUS_EVERY_MS ? `Stock is updated every ${Math.round(seconds)} seconds, to stay within the shop’s read limit.` : '',
      ),
  },
)

// Holds and orders

/** A hold ended (bought, released, lapsed): gone from the list, and its drop's "held for you" with it. */
function endHold(productId: string, note: string, tone: 'ok' | 'info' = 'info'): void {
  const hadFocus = document.getElementById(`hold-${productId}`)?.contains(document.activeElement) ?? false
  holds = holds.filter((x) => x.product_id !== productId)
  renderHolds()
  cards.get(productId)?.clearMessage()
  say(el.holdsNote, note, tone)
  // The button pressed is gone with its hold: the keyboard continues from what happened.
  if (hadFocus) el.holdsNote.focus()
  statusPoller.now()
}

let shownHolds = ''

/** Draws the holds again only when they changed, and keeps the keyboard on the button it was on. */
function renderHolds(): void {
  const shown = holds.map((x) => `${x.product_id}|${x.quantity}|${x.expires_at}|${nameOf(x.product_id)}`).join(' ')
  if (shown === shownHolds && el.holds.childElementCount === holds.length) return
  shownHolds = shown
  const focused = document.activeElement
  const where =
    el.holds.contains(focused) && focused instanceof HTMLElement ? { hold: focused.closest('li')?.id, action: focused.dataset.action } : undefined
  fill(el.holds, ...holds.map((hold) => holdItem(hold)))
  el.holdsEmpty.hidden = holds.length > 0
  if (where?.hold) document.querySelector<HTMLElement>(`#${where.hold} [data-action="${where.action}"]`)?.focus()
}

function holdItem(hold: Hold): HTMLLIElement {
  const product = products.get(hold.product_id)
  const amount = product?.price ? times(product.price, hold.quantity) : undefined
  const left = h('time', { role: 'timer', class: 'countdown' })
  const buy = h('button', { type: 'button', 'data-action': 'buy' }, amount ? `Buy for ${amount}` : 'Buy')
  const release = h('button', { type: 'button', class: 'secondary', 'data-action': 'release' }, 'Release')
  const message = h('p', { class: 'msg', 'aria-live': 'polite', hidden: true })
  const item = h(
    'li',
    { class: 'hold', id: `hold-${hold.product_id}` },
    h('p', {}, h('strong', {}, `${hold.quantity} × ${nameOf(hold.product_id)}`), ' — held for you for ', left),
    h('div', { class: 'actions' }, buy, release),
    message,
  )
  countdown(left, hold.expires_at, '', () => {
    // Still the hold shown (a later read may have brought the same hold as a new object, or a renewed one).
    if (holds.some((x) => x.product_id === hold.product_id && x.expires_at === hold.expires_at)) {
      endHold(hold.product_id, `Your hold of ${nameOf(hold.product_id)} lapsed: its units are back on sale.`)
    }
  })
  buy.addEventListener('click', () => void busy(buy, () => checkout(hold, amount ?? '0.00', message)))
  release.addEventListener('click', () => void busy(release, () => releaseHold(hold, message)))
  return item
}

async function checkout(hold: Hold, amount: string, message: HTMLElement): Promise<void> {
  const purchase = `${userId}|${hold.product_id}|${hold.quantity}|${amount}`
  const key = purchaseKeys.get(purchase) ?? newIdempotencyKey()
  purchaseKeys.set(purchase, key)
  say(message, 'Placing your order…')
  try {
    const { data } = await call<Order>('POST', '/api/checkout', {
      body: { user_id: userId, product_id: hold.product_id, quantity: hold.quantity, total_amount: amount },
      headers: { 'Idempotency-Key': key },
    })
    purchaseKeys.delete(purchase)
    endHold(hold.product_id, `Order placed: ${data.quantity} × ${nameOf(data.product_id)} for ${data.total_amount}. It is under “Your orders”.`, 'ok')
    await loadAccount()
  } catch (err) {
    // No answer, or the API could not finish: the same key on the next try is safe, and it must be the same key.
    const retryable = !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.code === 'IDEMPOTENCY_KEY_IN_FLIGHT'
    if (!retryable) purchaseKeys.delete(purchase)
    say(message, explain(err), 'error')
    if (err instanceof ApiError && err.code === 'NO_RESERVATION') await loadAccount()
    statusPoller.now()
  }
}

async function releaseHold(hold: Hold, message: HTMLElement): Promise<void> {
  try {
    await call('DELETE', `/api/reserve/${encodeURIComponent(userId)}/${encodeURIComponent(hold.product_id)}`)
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'NO_RESERVATION')) return say(message, explain(err), 'error')
  }
  endHold(hold.product_id, `Released your hold of ${nameOf(hold.product_id)}: it is back on sale.`)
}

function renderOrders(orders: Order[]): void {
  fill(
    el.orders,
    ...orders.map((o) =>
      h(
        'li',
        { class: 'order' },
        h('time', { datetime: o.created_at }, formatTime(o.created_at)),
        ' ',
        h('strong', {}, `${o.quantity} × ${nameOf(o.product_id)}`),
        ` — ${o.total_amount} — ${o.status}`,
      ),
    ),
  )
  el.ordersEmpty.hidden = orders.length > 0
}

/** Names for orders and holds of drops this page has not loaded. */
async function learnNames(ids: string[]): Promise<void> {
  const unknown = [...new Set(ids)].filter((id) => !products.has(id)).slice(0, 10)
  await Promise.all(
    unknown.map((id) =>
      api.product(id).then(
        (a) => products.set(id, a.data),
        () => undefined,
      ),
    ),
  )
}

async function loadAccount(): Promise<void> {
  const who = userId
  const enc = encodeURIComponent(who)
  try {
    const [held, orders] = await Promise.all([
      call<Hold[]>('GET', `/api/users/${enc}/reservations`),
      call<{ orders: Order[] }>('GET', `/api/users/${enc}/orders?limit=10`),
    ])
    await learnNames([...held.data.map((x) => x.product_id), ...orders.data.orders.map((o) => o.product_id)])
    if (who !== userId) return
    holds = held.data
    renderHolds()
    renderOrders(orders.data.orders)
    say(el.shopperNote, '')
  } catch (err) {
    say(el.shopperNote, explain(err), 'error')
  }
}

// The shopper

function useShopper(id: string): void {
  userId = id
  el.shopperId.value = id
  try {
    localStorage.setItem(SHOPPER_KEY, id)
  } catch {
    // not kept: fine
  }
  for (const card of cards.values()) card.forgetPlace()
  holds = []
  renderHolds()
  renderOrders([])
  void loadAccount()
}

el.shopperForm.addEventListener('submit', (e) => {
  e.preventDefault()
  const id = el.shopperId.value.trim()
  if (!USER_ID.test(id)) {
    say(el.shopperNote, 'Use 1 to 128 letters, digits and _ - . : @ for your name.', 'error')
    el.shopperId.focus()
    return
  }
  useShopper(id)
  announce(`Shopping as ${id}.`)
})

useShopper(userId)
loadDrops().catch(dropsFailed)
setInterval(() => {
  if (document.visibilityState === 'visible' && !new URLSearchParams(location.search).has('product')) loadDrops().catch(() => undefined)
}, LIST_EVERY_MS)
setInterval(() => {
  if (document.visibilityState === 'visible') void loadAccount()
}, ACCOUNT_EVERY_MS)
