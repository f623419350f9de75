import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  port: number
  /** Stops listening and cuts every open connection: the service is gone. */
  cut(): Promise<void>
  /** Listens again on the same port: the service is back. */
  restore(): Promise<void>
  close(): Promise<void>
}

/** A TCP proxy in front of a real service, standing in for it going away and coming back. */
export async function tcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      server = createServer((inbound) => {
        const outbound = createConnection(targetPort, targetHost)
        for (const socket of [inbound, outbound]) {
          sockets.add(socket)
          socket
            .on('error', () => socket.destroy())
            .on('close', () => {
              sockets.delete(socket)
              inbound.destroy()
              outbound.destroy()
            })
        }
        inbound.pipe(outbound).pipe(inbound)
      })
      server.listen(port, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port))
    })
  const cut = () =>
    new Promise<void>((resolve) => {
      if (!server?.listening) return resolve()
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
  const port = await listen(0)
  return { port, cut, restore: () => listen(port).then(() => {}), close: cut }
}
