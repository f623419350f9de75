/**
 * The operator view at `/admin`: create a drop, change its stock, and watch
 * drops live. The admin token is typed in and kept in this module's memory
 * only — never in the URL, the DOM after use, or any browser storage — so a
 * reload forgets it.
 */
import { api, ApiError, call, type Product } from './api'
import { formatDateTime } from './clock'
import { busy, byId, fill, h, say } from './dom'
import { explain } from './refusals'
import { WatchCard, type Console } from './watch-card'

const AUTO_WATCH = 3

let adminToken: string | undefined

const el = {
  tokenForm: byId<HTMLFormElement>('token-form'),
  token: byId<HTMLInputElement>('admin-token'),
  forget: byId<HTMLButtonElement>('token-forget'),
  tokenNote: byId<HTMLParagraphElement>('token-note'),
  createForm: byId<HTMLFormElement>('create-form'),
  createButton: byId<HTMLButtonElement>('create-submit'),
  createNote: byId<HTMLParagraphElement>('create-note'),
  roomOn: byId<HTMLInputElement>('drop-room'),
  roomFields: byId<HTMLDivElement>('drop-room-fields'),
  drops: byId<HTMLUListElement>('drop-list'),
  dropsNote: byId<HTMLParagraphElement>('drop-list-note'),
  watchForm: byId<HTMLFormElement>('watch-form'),
  watchId: byId<HTMLInputElement>('watch-id'),
  watchNote: byId<HTMLParagraphElement>('watch-note'),
  watched: byId<HTMLDivElement>('watched'),
  watchedEmpty: byId<HTMLParagraphElement>('watched-empty'),
  liveHeading: byId<HTMLHeadingElement>('live-heading'),
}

const watching = new Map<string, WatchCard>()

function adminHeaders(): Record<string, string> {
  if (!adminToken) throw new ApiError(401, 'UNAUTHORIZED', 'Enter the admin token first')
  return { authorization: `Bearer ${adminToken}` }
}

const ops: Console = {
  patchStock: async (productId, totalStock) =>
    (await call<Product>('PATCH', `/api/products/${encodeURIComponent(productId)}`, { body: { total_stock: totalStock }, headers: adminHeaders() }))
      .data,
  stopWatching: (productId) => {
    watching.get(productId)?.stop()
    watching.get(productId)?.el.remove()
    watching.delete(productId)
    el.watchedEmpty.hidden = watching.size > 0
    renderDropButtons()
    el.liveHeading.focus() // the pressed button left with its card
  },
}

// The token

el.tokenForm.addEventListener('submit', (e) => {
  e.preventDefault()
  const value = el.token.value.trim()
  if (!value) {
    say(el.tokenNote, 'Type the admin token (npm run dev prints it).', 'error')
    el.token.focus()
    return
  }
  adminToken = value
  el.token.value = '' // not left in the page either
  el.token.placeholder = 'token set — type another to replace it'
  el.forget.hidden = false
  say(el.tokenNote, 'Token set, for this tab only: reloading the page forgets it.', 'ok')
})

el.forget.addEventListener('click', () => {
  adminToken = undefined
  el.token.placeholder = ''
  el.forget.hidden = true
  say(el.tokenNote, 'Token forgotten.', 'ok')
  el.token.focus()
})

// Creating a drop

el.roomOn.addEventListener('change', () => (el.roomFields.hidden = !el.roomOn.checked))

const field = (name: string) => (el.createForm.elements.namedItem(name) as HTMLInputElement).value.trim()
const wholeNumber = (value: string) => (value === '' ? undefined : Number(value))
const instant = (value: string) => (value === '' ? undefined : new Date(value).toISOString())

function dropBody(): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: field('name'),
    description: field('description') || undefined,
    total_stock: wholeNumber(field('total_stock')),
    price: field('price') || undefined,
    max_per_user: wholeNumber(field('max_per_user')),
    sale_starts_at: instant(field('sale_starts_at')),
    sale_ends_at: instant(field('sale_ends_at')),
  }
  if (el.roomOn.checked) {
    body.waiting_room = {
      admit_per_second: wholeNumber(field('admit_per_second')),
      admission_ttl_seconds: wholeNumber(field('admission_ttl_seconds')),
    }
  }
  return body
}

el.createForm.addEventListener('submit', (e) => {
  e.preventDefault()
  void busy(el.createButton, async () => {
    if (!el.createForm.reportValidity()) return
    say(el.createNote, '')
    try {
      const { data } = await call<Product>('POST', '/api/products', { body: dropBody(), headers: adminHeaders() })
      say(el.createNote, `Created drop #${data.id}, “${data.name}”: watching it below.`, 'ok')
      el.createForm.reset()
      el.roomFields.hidden = true
      watch(data, true)
      void loadDrops()
    } catch (err) {
      say(el.createNote, explain(err), 'error')
      if (err instanceof ApiError && err.code === 'UNAUTHORIZED') el.token.focus()
    }
  })
})

// Drops and watching

/** Starts watching a drop; `chosen` (by a button or the form): it goes first and takes the focus. */
function watch(product: Product, chosen = false): void {
  if (watching.has(product.id)) return
  const card = new WatchCard(product, ops)
  watching.set(product.id, card)
  if (chosen) el.watched.prepend(card.el)
  else el.watched.append(card.el)
  el.watchedEmpty.hidden = true
  renderDropButtons()
  if (chosen) card.focus()
}

let listed: Product[] = []

function renderDropButtons(): void {
  fill(
    el.drops,
    ...listed.map((p) => {
      const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Watch ${p.name}` }, 'Watch')
      button.disabled = watching.has(p.id)
      button.addEventListener('click', () => watch(p, true))
      return h(
        'li',
        {},
        h('span', {}, h('strong', {}, p.name), ` #${p.id} · ${p.total_stock} in stock · created ${formatDateTime(p.created_at)}`),
        button,
      )
    }),
  )
}

async function loadDrops(): Promise<void> {
  try {
    listed = (await api.products()).data.products
    renderDropButtons()
    say(el.dropsNote, listed.length ? '' : 'No drops yet: create one above.')
  } catch (err) {
    const missing = err instanceof ApiError && (err.status === 404 || err.status === 405)
    say(el.dropsNote, missing ? 'This API cannot list drops yet (GET /api/products): watch one by its number.' : explain(err), 'error')
  }
}

el.watchForm.addEventListener('submit', (e) => {
  e.preventDefault()
  const id = el.watchId.value.trim()
  if (!/^[1-9][0-9]{0,9}$/.test(id)) {
    say(el.watchNote, 'A drop number is a whole number, like 12.', 'error')
    el.watchId.focus()
    return
  }
  api.product(id).then(
    ({ data }) => {
      watch(data, true)
      say(el.watchNote, '')
      el.watchId.value = ''
    },
    (err) => say(el.watchNote, explain(err), 'error'),
  )
})

await loadDrops()
for (const product of listed.slice(0, AUTO_WATCH)) watch(product)
