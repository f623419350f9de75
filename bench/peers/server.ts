import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

/** A server of the benchmark, in-process: where it listens and how to stop it. */
export interface Started<I = { port: number }> {
  info: I
  close(): Promise<void>
}

type Fetch = (request: Request, ...rest: any[]) => Response | Promise<Response>

/** Serves a fetch handler (Hono) on @hono/node-server, on a free loopback port. */
export function serveFetch(fetch: Fetch): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ port: info.port, server: server as Server }),
    ) as Server
  })
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/** Body of the shared reserve request every peer answers. */
export interface ReserveBody {
  user_id: string
  product_id: number | string
  quantity: number
}

/** What every peer's status route answers, to check its counters after a run. */
export interface Counters {
  total_stock: number
  sold: number
  reserved_stock: number
}
