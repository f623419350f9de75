/**
 * Clients a write window refused, remembered in the isolate until their
 * window reopens, so their retries cost no Redis command (as
 * @upstash/ratelimit's ephemeral cache does). Bounded: under a flood of
 * addresses the oldest entries go first, which only costs those clients one
 * more command each.
 */
export class RefusalMemory {
  private readonly until = new Map<string, number>()

  constructor(private readonly capacity = 10_000) {}

  /** When the window of `key` reopens (ms since the epoch), if it is still closed. */
  blockedUntil(key: string, now = Date.now()): number | undefined {
    const until = this.until.get(key)
    if (until === undefined) return undefined
    if (until > now) return until
    this.until.delete(key)
    return undefined
  }

  block(key: string, until: number): void {
    this.until.delete(key)
    this.until.set(key, until)
    if (this.until.size > this.capacity) this.until.delete(this.until.keys().next().value!)
  }
}
