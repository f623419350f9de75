/**
 * One drop on the storefront: live stock, the sale window, the waiting room
 * (issue 17) and the reserve form. The card is built once and updated in
 * place, so polling never moves the keyboard focus.
 */
import { ApiError, call, type Hold, type Product, type ProductStatus } from './api'
import { durationInWords, formatDateTime, serverNow } from './clock'
import { busy, h, say, wholeNumberIn } from './dom'
import { joinLine, type Line, type Place } from './queue'
import { explain } from './refusals'
import { countdown } from './ticker'

export interface Shop {
  userId(): string
  /** A hold was made: show it with the shopper's other holds. */
  held(hold: Hold, product: Product): void
  announce(text: string): void
  /** Reads this drop's status again now. */
  refresh(productId: string): void
}

export class DropCard {
  readonly el: HTMLLIElement
  private status: ProductStatus | undefined
  private readonly stock: HTMLParagraphElement
  private readonly window: HTMLParagraphElement
  private readonly line: HTMLDivElement
  private readonly lineCount: HTMLParagraphElement
  private readonly linePlace: HTMLDivElement
  private lineKey = ''
  private readonly form: HTMLFormElement
  private readonly quantity: HTMLInputElement
  private readonly reserve: HTMLButtonElement
  private readonly message: HTMLParagraphElement
  private place: Place | undefined
  private lineHandle: Line | undefined

  constructor(
    private product: Product,
    private readonly shop: Shop,
  ) {
    const id = `drop-${product.id}`
    this.stock = h('p', { class: 'stock' }, 'Checking stock…')
    this.window = h('p', { class: 'window' })
    this.lineCount = h('p', {})
    this.linePlace = h('div', { 'aria-live': 'polite' })
    this.line = h('div', { class: 'line', hidden: true }, this.lineCount, this.linePlace)
    this.quantity = h('input', { id: `${id}-qty`, type: 'number', min: 1, max: 10000, value: 1, required: true, inputmode: 'numeric' })
    this.reserve = h('button', { type: 'submit', 'aria-describedby': `${id}-stock` }, 'Reserve')
    this.stock.id = `${id}-stock`
    this.form = h('form', { class: 'reserve' }, h('label', { for: `${id}-qty` }, 'Quantity'), this.quantity, this.reserve)
    this.message = h('p', { class: 'msg', 'aria-live': 'polite', hidden: true })
    this.form.addEventListener('submit', (e) => {
      e.preventDefault()
      void busy(this.reserve, () => this.doReserve())
    })
    this.el = h(
      'li',
      { class: 'drop', id, 'aria-labelledby': `${id}-name` },
      h('h3', { id: `${id}-name` }, product.name),
      h(
        'p',
        { class: 'meta' },
        `Drop #${product.id}`,
        product.price ? ` · ${product.price}` : '',
        product.max_per_user ? ` · limit ${product.max_per_user} per customer` : '',
      ),
      product.description ? h('p', { class: 'desc' }, product.description) : null,
      this.stock,
      this.window,
      this.line,
      this.form,
      this.message,
    )
    this.showWindow()
  }

  get id(): string {
    return this.product.id
  }

  setProduct(product: Product): void {
    this.product = product
    this.update()
  }

  setStatus(status: ProductStatus): void {
    this.status = status
    this.update()
  }

  /** The hold this card made has ended (bought, released or lapsed): its message is old news. */
  clearMessage(): void {
    say(this.message, '')
  }

  /** The shopper changed: a place in line was theirs, not the new shopper's. */
  forgetPlace(): void {
    this.lineHandle?.leave()
    this.lineHandle = undefined
    this.place = undefined
    this.update()
  }

  private saleState(): 'before' | 'open' | 'after' {
    const now = serverNow()
    if (this.product.sale_starts_at && now < Date.parse(this.product.sale_starts_at)) return 'before'
    if (this.product.sale_ends_at && now >= Date.parse(this.product.sale_ends_at)) return 'after'
    return 'open'
  }

  private showWindow(): void {
    const { sale_starts_at: starts, sale_ends_at: ends } = this.product
    const state = this.saleState()
    if (state === 'before' && starts) {
      const t = h('time', { role: 'timer' })
      this.window.replaceChildren(`Opens ${formatDateTime(starts)} — in `, t)
      countdown(t, starts, '', () => this.showWindow())
    } else if (state === 'open' && ends) {
      const t = h('time', { role: 'timer' })
      this.window.replaceChildren('Ends in ', t)
      countdown(t, ends, '', () => this.showWindow())
    } else if (state === 'after') this.window.textContent = 'This sale has ended.'
    else this.window.replaceChildren()
    this.window.hidden = this.window.childNodes.length === 0
    this.update()
  }

  private update(): void {
    const s = this.status
    const state = this.saleState()
    if (!s) this.stock.textContent = 'Checking stock…'
    else if (s.available_stock > 0) {
      this.stock.replaceChildren(h('strong', {}, String(s.available_stock)), ` left of ${s.total_stock}`)
    } else if (s.reserved_stock > 0) {
      this.stock.replaceChildren(h('strong', {}, 'Sold out'), ` for now — ${s.reserved_stock} on hold, back on sale if not bought`)
    } else this.stock.replaceChildren(h('strong', {}, 'Sold out'))
    this.el.dataset.available = s ? String(s.available_stock) : ''
    const soldOut = s !== undefined && s.available_stock === 0
    this.el.classList.toggle('sold-out', soldOut)

    const room = this.product.waiting_room
    const admitted = this.place?.status === 'admitted'
    this.renderLine(s)
    const mayReserve = state === 'open' && !soldOut && (!room || admitted)
    this.form.hidden = Boolean(room) && !admitted
    this.reserve.disabled = !mayReserve
    const label = soldOut ? 'Sold out' : state === 'before' ? 'Not open yet' : state === 'after' ? 'Sale ended' : 'Reserve'
    if (this.reserve.textContent !== label) this.reserve.textContent = label
  }

  private renderLine(s: ProductStatus | undefined): void {
    const room = this.product.waiting_room
    this.line.hidden = !room
    if (!room) return
    const waiting = s?.queue_length
    this.lineCount.textContent = `This drop has a waiting room${waiting === undefined ? '.' : ` — ${waiting} in line now.`}`
    // The place is a live region: it changes (and is announced) only when the place does.
    const place = this.place
    const key = `${this.saleState()} ${place?.status ?? 'none'} ${place?.status === 'waiting' ? `${place.position} ${place.estimated_wait_seconds}` : ''}`
    if (key === this.lineKey) return
    this.lineKey = key
    if (place?.status === 'waiting') {
      const wait = place.estimated_wait_seconds
      this.linePlace.replaceChildren(
        h(
          'p',
          { class: 'place' },
          h('strong', {}, `You are number ${place.position} in line`),
          wait === undefined ? '.' : ` — about ${durationInWords(wait)}.`,
        ),
      )
    } else if (place?.status === 'admitted') {
      const t = h('time', { role: 'timer' })
      this.linePlace.replaceChildren(h('p', { class: 'place' }, h('strong', {}, 'It’s your turn!'), ' Reserve within ', t, '.'))
      countdown(t, place.expires_at, '', () => {
        if (this.place === place) this.setPlace({ status: 'expired' })
      })
    } else if (place?.status === 'sold_out') {
      this.linePlace.replaceChildren(h('p', { class: 'note' }, 'Sold out for now. You keep your place: if held units lapse, the line moves again.'))
    } else {
      const join = h('button', { type: 'button', class: 'secondary' }, place?.status === 'expired' ? 'Join the line again' : 'Join the line')
      join.disabled = this.saleState() !== 'open'
      join.addEventListener('click', () => void busy(join, () => this.join()))
      const note = place?.status === 'expired' ? 'Your turn passed before you reserved.' : ''
      this.linePlace.replaceChildren(note ? h('p', { class: 'note' }, note) : '', join)
    }
  }

  private setPlace(place: Place | undefined): void {
    const before = this.place?.status
    this.place = place
    if (place?.status === 'admitted' && before !== 'admitted') this.shop.announce(`It is your turn for ${this.product.name}. Reserve now.`)
    this.update()
    if (place?.status === 'admitted' && this.el.contains(document.activeElement)) this.quantity.focus()
  }

  private async join(): Promise<void> {
    say(this.message, '')
    this.lineHandle?.leave()
    try {
      this.lineHandle = await joinLine(
        this.product.id,
        this.shop.userId(),
        (place) => this.setPlace(place),
        (err) => say(this.message, explain(err), 'error'),
      )
    } catch (err) {
      say(this.message, explain(err), 'error')
    }
  }

  private async doReserve(): Promise<void> {
    const quantity = wholeNumberIn(this.quantity, 1, this.message, 'Choose a quantity of 1 or more.')
    if (quantity === undefined) return
    say(this.message, '')
    const place = this.place
    const headers: Record<string, string> = place?.status === 'admitted' ? { 'X-Admission-Token': place.token } : {}
    try {
      const { data } = await call<Hold>('POST', '/api/reserve', {
        body: { user_id: this.shop.userId(), product_id: this.product.id, quantity },
        headers,
      })
      say(this.message, `${data.quantity} held for you: buy under “Your holds” before the hold lapses.`, 'ok')
      this.shop.held(data, this.product)
    } catch (err) {
      say(this.message, explain(err), 'error')
      if (err instanceof ApiError && (err.code === 'ADMISSION_INVALID' || err.code === 'ADMISSION_REQUIRED')) {
        this.forgetPlace()
        // The operator may have turned the waiting room on since the page loaded.
        if (!this.product.waiting_room) this.setProduct((await call<Product>('GET', `/api/products/${encodeURIComponent(this.product.id)}`)).data)
      }
    }
    this.shop.refresh(this.product.id)
  }
}
