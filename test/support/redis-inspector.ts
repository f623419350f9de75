/**
 * What the drop-day tests need to see of Redis itself (keys, and deleting
 * some to play a lapsed record or a flush), in either runtime: over ioredis in
 * Node, over the local Upstash REST endpoint in workerd.
 */
export interface RedisInspector {
  /** the key namespace the API under test uses */
  prefix: string
  /** every key matching a glob pattern (full SCAN) */
  keys(pattern: string): Promise<string[]>
  del(keys: string[]): Promise<void>
}

export type SendCommand = (command: (string | number)[]) => Promise<unknown>

export function redisInspector(prefix: string, send: SendCommand): RedisInspector {
  return {
    prefix,
    async keys(pattern) {
      const found: string[] = []
      let cursor = '0'
      do {
        const [next, keys] = (await send(['SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000])) as [string, string[]]
        found.push(...keys)
        cursor = String(next)
      } while (cursor !== '0')
      return found
    },
    async del(keys) {
      if (keys.length) await send(['DEL', ...keys])
    },
  }
}

/** Commands over Upstash's REST protocol (what the local Upstash-compatible server speaks). */
export function upstashSend(url: string, token: string): SendCommand {
  return async (command) => {
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(command) })
    const body = (await res.json()) as { result?: unknown; error?: string }
    if (body.error) throw new Error(body.error)
    return body.result
  }
}
