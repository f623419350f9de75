import type { IncomingMessage, ServerResponse } from 'node:http'
import { secretCheck } from '../secret'

/** An error answered as `{ error: message }` with the given HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export const BODY_LIMIT_BYTES = 10 * 1024 * 1024

/** Checks `Authorization: Bearer <token>` in constant time. */
export function bearerCheck(token: string): (header: string | undefined) => boolean {
  const matches = secretCheck(token)
  return (header) => matches(/^Bearer (\S+)$/.exec(header ?? '')?.[1])
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT_BYTES) throw tooLarge()
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size <= BODY_LIMIT_BYTES) return void chunks.push(chunk)
      // Keep draining (and dropping) the rest so the 413 can still be delivered.
      req.off('data', onData).resume()
      reject(tooLarge())
    }
    req
      .on('data', onData)
      .once('end', () => resolve(Buffer.concat(chunks)))
      .once('error', reject)
  })
  try {
    return JSON.parse(raw.toString('utf8')) as unknown
  } catch {
    throw new HttpError(400, 'ERR request body is not valid JSON')
  }
}

const tooLarge = (): HttpError => new HttpError(413, `ERR request body exceeds ${BODY_LIMIT_BYTES} bytes`)

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  })
  res.end(payload)
}
