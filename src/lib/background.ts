/**
 * Work a request starts and does not wait for before it answers (the settle
 * after a checkout, a cache write). On Workers, Pages and Vercel Edge it is
 * handed to the platform's `waitUntil`, so the isolate lives until it ends;
 * elsewhere it runs detached, and a self-hosted server waits for what is
 * still running before it closes its stores. A task logs its own failure; a
 * task that never ran or failed leaves what the design already heals
 * (docs/architecture.md, "Checkout").
 */
export type Background = (task: () => Promise<unknown>) => void

const ignore = () => {}

/** Runs each task detached, tracking nothing: where no one waits for them. */
export const detached: Background = (task) => void task().catch(ignore)

/** Tasks run detached, and tracked, so a server can wait for them before it closes. */
export class DetachedTasks {
  readonly #running = new Set<Promise<unknown>>()

  readonly run: Background = (task) => {
    const running = task()
      .catch(ignore)
      .finally(() => this.#running.delete(running))
    this.#running.add(running)
  }

  /** Resolves once every task started so far has ended. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running])
  }
}

/** Hands each task to the platform's waitUntil. */
export const waitUntilOf =
  (ctx: { waitUntil(promise: Promise<unknown>): void }): Background =>
  (task) =>
    ctx.waitUntil(task().catch(ignore))
