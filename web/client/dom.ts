/** A few DOM helpers: elements are built with text nodes, never from HTML strings. */

type Attrs = Record<string, string | number | boolean | undefined>
type Child = Node | string | number | null | undefined | false

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  setAttrs(el, attrs)
  append(el, children)
  return el
}

const SVG_NS = 'http://www.w3.org/2000/svg'

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag)
  setAttrs(el, attrs)
  append(el, children)
  return el
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    el.setAttribute(name, value === true ? '' : String(value))
  }
}

function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : String(child))
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} is missing from the page`)
  return el as T
}

/** Replaces an element's content. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}

/** Shows a message in a live region; an empty text hides it. */
export function say(el: HTMLElement, text: string, tone: 'info' | 'error' | 'ok' = 'info'): void {
  el.textContent = text
  el.dataset.tone = tone
  el.hidden = text === ''
}

/**
 * Runs a button's action once at a time (a second press meanwhile does
 * nothing); the button is marked busy, and keeps its focus and its place in
 * the tab order.
 */
export async function busy(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
  if (button.getAttribute('aria-busy') === 'true') return
  button.setAttribute('aria-busy', 'true')
  try {
    await action()
  } finally {
    button.removeAttribute('aria-busy')
  }
}

/** "89.90" × 2 → "179.80", in integer cents. */
export function times(price: string, quantity: number): string {
  const [whole = '0', frac = ''] = price.split('.')
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2))
  return ((cents * quantity) / 100).toFixed(2)
}

/** The whole number typed in `input`, at least `min`; else says `problem` in `note`, puts the focus back, and gives undefined. */
export function wholeNumberIn(input: HTMLInputElement, min: number, note: HTMLElement, problem: string): number | undefined {
  const value = Number(input.value)
  if (input.value.trim() !== '' && Number.isInteger(value) && value >= min) return value
  say(note, problem, 'error')
  input.focus()
  return undefined
}
