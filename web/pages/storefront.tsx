import { Layout } from './layout'

/** `/`: the shell the storefront script fills (web/client/storefront.ts). */
export function StorefrontPage() {
  return (
    <Layout title="Flash Deal — drops" script="/assets/storefront.js" current="/">
      <h1>Today’s drops</h1>
      <section class="panel" aria-labelledby="shopper-heading">
        <h2 id="shopper-heading">You</h2>
        <form id="shopper-form" class="inline">
          <label for="shopper-id">Shopper name</label>
          <input id="shopper-id" name="shopper" required maxlength={128} autocomplete="username" spellcheck={false} aria-describedby="shopper-hint" />
          <button type="submit">Use this name</button>
        </form>
        <p id="shopper-hint" class="hint">
          Letters, digits and _ - . : @. Your holds and orders are kept under this name.
        </p>
        <p id="shopper-note" class="msg" aria-live="polite" hidden></p>
      </section>
      <section class="panel" aria-labelledby="holds-heading">
        <h2 id="holds-heading">Your holds</h2>
        <p id="holds-empty" class="hint">
          Nothing held. Reserve a drop below: a hold keeps it for you for a few minutes, then it goes back on sale.
        </p>
        <ul id="holds" class="holds"></ul>
        <p id="holds-note" class="msg" aria-live="polite" tabindex={-1} hidden></p>
      </section>
      <section aria-labelledby="drops-heading">
        <h2 id="drops-heading">On sale</h2>
        <p id="drops-note" class="msg" aria-live="polite">
          Loading the drops…
        </p>
        <p id="live-note" class="hint" hidden></p>
        <ul id="drops" class="drops"></ul>
        <button id="drops-more" type="button" class="secondary" hidden>
          More drops
        </button>
      </section>
      <section class="panel" aria-labelledby="orders-heading">
        <h2 id="orders-heading">Your orders</h2>
        <p id="orders-empty" class="hint">
          No orders yet.
        </p>
        <ul id="orders" class="orders"></ul>
      </section>
      <div id="announce" class="visually-hidden" role="status" aria-live="polite"></div>
    </Layout>
  )
}
