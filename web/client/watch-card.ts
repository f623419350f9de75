/**
 * One drop watched live on the operator view: its counters, a chart of
 * sold / held / available over time, a stock editor, and what the counters
 * say happened between two reads — units sold, and holds that ended unbought.
 *
 * The API has no operator feed of orders or lapses (issue 18: existing API
 * only), so both lists are read off the status counters: a rise of `sold` is
 * a sale; a fall of `reserved` beyond what was sold is holds that lapsed or
 * were released. Between two reads new holds can hide some of it, so the
 * second number is a lower bound, and says so.
 */
import { ApiError, api, type Product, type ProductStatus } from './api'
import { durationInWords, formatDateTime, formatTime, serverNow } from './clock'
import { busy, h, say, wholeNumberIn } from './dom'
import { CHART_WINDOW_MS, UnitsChart, type Sample } from './chart'
import { poll, type Poller } from './poll'
import { explain } from './refusals'

const EVERY_MS = 2000
const EVENTS_SHOWN = 8

export interface Console {
  /** Sends an admin write (the token is the console's, in memory). */
  patchStock(productId: string, totalStock: number): Promise<Product>
  stopWatching(productId: string): void
}

interface Change {
  t: number
  units: number
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`

export class WatchCard {
  readonly el: HTMLElement
  private readonly counts: Record<'available' | 'held' | 'sold' | 'total' | 'line', HTMLElement>
  private readonly lineRow: HTMLElement
  private readonly chart: UnitsChart
  private readonly sales: HTMLUListElement
  private readonly lapses: HTMLUListElement
  private readonly lapseTotal: HTMLParagraphElement
  private readonly note: HTMLParagraphElement
  private readonly stockInput: HTMLInputElement
  private readonly stockMessage: HTMLParagraphElement
  private readonly poller: Poller
  private samples: Sample[] = []
  private last: ProductStatus | undefined
  private sold: Change[] = []
  private lapsed: Change[] = []
  private lapsedTotal = 0

  constructor(
    private product: Product,
    private readonly ops: Console,
  ) {
    const id = `watch-${product.id}`
    const dd = (name: string) => h('dd', { id: `${id}-${name}` }, '–')
    this.counts = { available: dd('available'), held: dd('held'), sold: dd('sold'), total: dd('total'), line: dd('line') }
    const row = (label: string, value: HTMLElement) => h('div', {}, h('dt', {}, label), value)
    this.lineRow = row('In line', this.counts.line)
    this.lineRow.hidden = !product.waiting_room
    this.chart = new UnitsChart(`${id}-chart`)
    this.sales = h('ul', { class: 'events' })
    this.lapses = h('ul', { class: 'events' })
    this.lapseTotal = h('p', { class: 'hint' }, 'None seen yet.')
    this.note = h('p', { class: 'msg', 'aria-live': 'polite', hidden: true })
    this.stockInput = h('input', {
      id: `${id}-stock-input`,
      type: 'number',
      min: 0,
      max: 1_000_000_000,
      required: true,
      inputmode: 'numeric',
      value: product.total_stock,
    })
    const setStock = h('button', { type: 'submit' }, 'Set stock')
    this.stockMessage = h('p', { class: 'msg', 'aria-live': 'polite', hidden: true })
    const stockForm = h('form', { class: 'inline' }, h('label', { for: this.stockInput.id }, 'Total stock'), this.stockInput, setStock)
    stockForm.addEventListener('submit', (e) => {
      e.preventDefault()
      void busy(setStock, () => this.changeStock())
    })
    const stop = h('button', { type: 'button', class: 'secondary' }, 'Stop watching')
    stop.addEventListener('click', () => ops.stopWatching(product.id))

    this.el = h(
      'article',
      { class: 'watch', id, 'aria-labelledby': `${id}-name` },
      h(
        'div',
        { class: 'watch-head' },
        h('h3', { id: `${id}-name`, tabindex: -1 }, product.name, ' ', h('span', { class: 'id' }, `#${product.id}`)),
        h('a', { href: `/?product=${encodeURIComponent(product.id)}` }, 'Open in storefront'),
        stop,
      ),
      h('p', { class: 'meta' }, describe(product)),
      h(
        'dl',
        { class: 'counts' },
        row('Available', this.counts.available),
        row('Held', this.counts.held),
        row('Sold', this.counts.sold),
        row('Total', this.counts.total),
        this.lineRow,
      ),
      h(
        'figure',
        {},
        this.chart.el,
        h(
          'figcaption',
          { class: 'legend' },
          h('span', { class: 'key key-sold' }, 'Sold'),
          h('span', { class: 'key key-held' }, 'Held'),
          h('span', { class: 'key key-available' }, 'Available'),
          ' — the last 5 minutes',
        ),
      ),
      this.note,
      stockForm,
      this.stockMessage,
      h(
        'div',
        { class: 'changes' },
        h('section', {}, h('h4', {}, 'Recent sales'), this.sales),
        h('section', {}, h('h4', {}, 'Lapsed holds'), this.lapseTotal, this.lapses),
      ),
    )
    this.poller = poll(
      async (signal) => {
        this.record((await api.status(product.id, signal)).data)
      },
      {
        everyMs: EVERY_MS,
        onPause: (seconds, err) => say(this.note, `${explain(err)} Live reads resume in ${durationInWords(seconds)}.`, 'error'),
        onPace: (seconds) =>
          say(
            this.note,
            seconds * 1000 > 2 * EVERY_MS
              ? `Read every ${Math.round(seconds)} s, to stay within this address’s read limit (RATE_LIMIT_MAX_REQUESTS).`
              : '',
          ),
      },
    )
  }

  get id(): string {
    return this.product.id
  }

  stop(): void {
    this.poller.stop()
  }

  focus(): void {
    this.el.querySelector<HTMLElement>('h3')?.focus()
  }

  private record(status: ProductStatus): void {
    const now = serverNow()
    const prev = this.last
    this.last = status
    if (prev) {
      const soldNow = status.sold - prev.sold
      if (soldNow > 0) this.sold = [{ t: now, units: soldNow }, ...this.sold].slice(0, EVENTS_SHOWN)
      const ended = prev.reserved_stock - status.reserved_stock - Math.max(0, soldNow)
      if (ended > 0) {
        this.lapsed = [{ t: now, units: ended }, ...this.lapsed].slice(0, EVENTS_SHOWN)
        this.lapsedTotal += ended
      }
    }
    this.samples = [
      ...this.samples.filter((s) => s.t >= now - CHART_WINDOW_MS),
      { t: now, sold: status.sold, held: status.reserved_stock, available: status.available_stock },
    ]
    this.counts.available.textContent = String(status.available_stock)
    this.counts.held.textContent = String(status.reserved_stock)
    this.counts.sold.textContent = String(status.sold)
    this.counts.total.textContent = String(status.total_stock)
    if (status.queue_length !== undefined) {
      this.counts.line.textContent = String(status.queue_length)
      this.lineRow.hidden = false
    }
    this.chart.draw(this.samples)
    this.sales.replaceChildren(...this.sold.map((c) => h('li', {}, h('time', {}, formatTime(c.t)), ` ${plural(c.units, 'unit')} sold`)))
    this.lapses.replaceChildren(...this.lapsed.map((c) => h('li', {}, h('time', {}, formatTime(c.t)), ` ${plural(c.units, 'unit')} back on sale`)))
    if (this.lapsedTotal > 0) {
      this.lapseTotal.textContent = `At least ${plural(this.lapsedTotal, 'unit')} came back from holds that lapsed or were released, since you started watching.`
    }
    if (!this.sold.length) this.sales.replaceChildren(h('li', { class: 'hint' }, 'None since you started watching.'))
  }

  private async changeStock(): Promise<void> {
    const total = wholeNumberIn(this.stockInput, 0, this.stockMessage, 'Stock is a whole number, 0 or more.')
    if (total === undefined) return
    try {
      this.product = await this.ops.patchStock(this.product.id, total)
      say(this.stockMessage, `Total stock is now ${this.product.total_stock}.`, 'ok')
      this.poller.now()
    } catch (err) {
      say(this.stockMessage, explain(err), 'error')
      if (err instanceof ApiError && err.code === 'UNAUTHORIZED') document.getElementById('admin-token')?.focus()
    }
  }
}

function describe(p: Product): string {
  const parts = [p.price ? `price ${p.price}` : 'no fixed price', p.max_per_user ? `limit ${p.max_per_user} per customer` : 'no per-customer limit']
  if (p.sale_starts_at) parts.push(`opens ${formatDateTime(p.sale_starts_at)}`)
  if (p.sale_ends_at) parts.push(`ends ${formatDateTime(p.sale_ends_at)}`)
  if (p.waiting_room) parts.push(`waiting room: ${p.waiting_room.admit_per_second}/s, turns last ${p.waiting_room.admission_ttl_seconds} s`)
  return parts.join(' · ')
}
