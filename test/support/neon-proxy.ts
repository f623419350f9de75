import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type NeonFault =
  | { kind: 'pass' }
  /** hold every query this long before passing it on */
  | { kind: 'delay'; ms: number }
  /** answer as Postgres does when it refuses a statement (an error reply with a SQLSTATE) */
  | { kind: 'refuse' }
  /** cut the connection without an answer: the outcome is unknown to the caller */
  | { kind: 'drop' }

export interface NeonProxy {
  /** the NEON_FETCH_ENDPOINT that goes through the proxy */
  url: string
  fault: NeonFault
  close(): Promise<void>
}

/**
 * A proxy in front of the local Neon-compatible server that plays Postgres
 * faults on demand, for the fault tests and the nemesis of the fuzz.
 */
export async function startNeonProxy(upstream: string): Promise<NeonProxy> {
  const proxy: { fault: NeonFault } = { fault: { kind: 'pass' } }
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const fault = proxy.fault
    if (fault.kind === 'drop') return void req.socket.destroy()
    if (fault.kind === 'refuse') {
      const body = JSON.stringify({ message: 'canceling statement due to statement timeout', code: '57014', severity: 'ERROR' })
      return void res.writeHead(400, { 'content-type': 'application/json' }).end(body)
    }
    if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms))
    try {
      const answer = await fetch(upstream, {
        method: 'POST',
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => k.startsWith('neon-') || k === 'content-type' || k === 'authorization'),
        ) as Record<string, string>,
        body: Buffer.concat(chunks),
      })
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text())
    } catch {
      req.socket.destroy()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sql`,
    get fault() {
      return proxy.fault
    },
    set fault(f) {
      proxy.fault = f
    },
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
