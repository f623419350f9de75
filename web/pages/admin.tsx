import type { Child } from 'hono/jsx'
import { Layout } from './layout'

function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: Child }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      ) : null}
    </div>
  )
}

/** `/admin`: the shell the operator script fills (web/client/admin.ts). */
export function AdminPage() {
  return (
    <Layout title="Flash Deal — operator" script="/assets/admin.js" current="/admin">
      <h1>Operator</h1>
      <section class="panel" aria-labelledby="token-heading">
        <h2 id="token-heading">Admin token</h2>
        {/* No name on the input: even a form sent without this page's script carries no token. */}
        <form id="token-form" class="inline" method="post" autocomplete="off">
          <label for="admin-token">Admin token</label>
          <input id="admin-token" type="password" autocomplete="off" spellcheck={false} aria-describedby="token-hint" />
          <button type="submit">Use token</button>
          <button id="token-forget" type="button" class="secondary" hidden>
            Forget token
          </button>
        </form>
        <p id="token-hint" class="hint">
          Kept in this tab’s memory only — never in the address bar or the browser’s storage; reloading the page forgets it. npm run dev prints it.
        </p>
        <p id="token-note" class="msg" aria-live="polite" hidden></p>
      </section>

      <section class="panel" aria-labelledby="create-heading">
        <h2 id="create-heading">Create a drop</h2>
        <form id="create-form" class="grid" method="post">
          <Field id="drop-name" label="Name">
            <input id="drop-name" name="name" required maxlength={255} />
          </Field>
          <Field id="drop-description" label="Description (optional)">
            <textarea id="drop-description" name="description" maxlength={2000} rows={2}></textarea>
          </Field>
          <Field id="drop-stock" label="Stock (units)">
            <input id="drop-stock" name="total_stock" type="number" required min={0} max={1000000000} inputmode="numeric" />
          </Field>
          <Field id="drop-price" label="Price (optional)" hint="Like 89.90. Without a price, buyers pay what they send.">
            <input id="drop-price" name="price" inputmode="decimal" pattern="\d{1,12}(\.\d{1,2})?" aria-describedby="drop-price-hint" />
          </Field>
          <Field id="drop-limit" label="Limit per customer (optional)">
            <input id="drop-limit" name="max_per_user" type="number" min={1} max={10000} inputmode="numeric" />
          </Field>
          <Field id="drop-starts" label="Sale opens (optional, your time)">
            <input id="drop-starts" name="sale_starts_at" type="datetime-local" />
          </Field>
          <Field id="drop-ends" label="Sale ends (optional, your time)">
            <input id="drop-ends" name="sale_ends_at" type="datetime-local" />
          </Field>
          <fieldset class="room">
            <legend>Waiting room</legend>
            <div class="check">
              <input id="drop-room" name="waiting_room" type="checkbox" />
              <label for="drop-room">Shoppers queue first, and are let in at a fixed rate</label>
            </div>
            <div id="drop-room-fields" class="grid" hidden>
              <Field id="drop-admit" label="Let in per second">
                <input id="drop-admit" name="admit_per_second" type="number" min={1} max={10000} value="5" inputmode="numeric" />
              </Field>
              <Field id="drop-turn" label="Seconds a turn lasts">
                <input id="drop-turn" name="admission_ttl_seconds" type="number" min={10} max={3600} value="120" inputmode="numeric" />
              </Field>
            </div>
          </fieldset>
          <div class="actions">
            <button id="create-submit" type="submit">
              Create drop
            </button>
          </div>
        </form>
        <p id="create-note" class="msg" aria-live="polite" hidden></p>
      </section>

      <section class="panel" aria-labelledby="list-heading">
        <h2 id="list-heading">Drops</h2>
        <p id="drop-list-note" class="msg" aria-live="polite" hidden></p>
        <ul id="drop-list" class="drop-list"></ul>
        <form id="watch-form" class="inline">
          <label for="watch-id">Watch a drop by number</label>
          <input id="watch-id" inputmode="numeric" pattern="[0-9]*" autocomplete="off" />
          <button type="submit">Watch</button>
        </form>
        <p id="watch-note" class="msg" aria-live="polite" hidden></p>
      </section>

      <section aria-labelledby="live-heading">
        <h2 id="live-heading" tabindex={-1}>
          Live
        </h2>
        <p id="watched-empty" class="hint">
          Not watching any drop: create one, or press Watch.
        </p>
        <div id="watched" class="watched"></div>
      </section>
    </Layout>
  )
}
