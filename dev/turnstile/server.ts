import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sendJson } from '../upstash/http'

/**
 * A local Cloudflare Turnstile siteverify endpoint, for `npm run dev` and the
 * tests: it speaks the documented protocol
 * (https://developers.cloudflare.com/turnstile/get-started/server-side-validation/)
 * — POST form or JSON {secret, response, remoteip?, idempotency_key?} →
 * {success, "error-codes", challenge_ts?, hostname?} — for tokens it minted
 * itself (POST /__local/token), each valid once and for 300 s, as real ones are.
 */
export interface TurnstileServer {
  /** the siteverify URL (TURNSTILE_VERIFY_URL) */
  url: string
  secret: string
  /** a fresh token, as the widget would hand a shopper who passed the challenge */
  mint(): string
  /** siteverify calls received */
  verifications(): number
  close(): Promise<void>
}

const TOKEN_LIFETIME_MS = 300_000
const VERIFY_PATH = '/turnstile/v0/siteverify'

async function readFields(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const parsed = JSON.parse(text) as Record<string, unknown>
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]))
  }
  return Object.fromEntries(new URLSearchParams(text))
}

export async function startTurnstileServer(opts: { port?: number; secret?: string } = {}): Promise<TurnstileServer> {
  const secret = opts.secret ?? `local-turnstile-${randomBytes(12).toString('hex')}`
  // token -> when it was minted, and whether siteverify has seen it (single use)
  const tokens = new Map<string, { minted: number; used: boolean }>()
  let verifications = 0
  const mint = () => {
    const token = `local.${randomBytes(24).toString('base64url')}`
    tokens.set(token, { minted: Date.now(), used: false })
    return token
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname
    if (req.method === 'POST' && path === '/__local/token') return sendJson(res, 200, { token: mint() })
    if (req.method !== 'POST' || path !== VERIFY_PATH) return sendJson(res, 404, { success: false, 'error-codes': ['bad-request'] })
    readFields(req).then(
      (fields) => {
        verifications++
        if (fields.secret !== secret) return sendJson(res, 200, { success: false, 'error-codes': ['invalid-input-secret'] })
        const token = fields.response ?? ''
        const known = tokens.get(token)
        if (!known) return sendJson(res, 200, { success: false, 'error-codes': ['invalid-input-response'] })
        const spent = known.used || Date.now() - known.minted > TOKEN_LIFETIME_MS
        known.used = true
        if (spent) return sendJson(res, 200, { success: false, 'error-codes': ['timeout-or-duplicate'] })
        sendJson(res, 200, { success: true, 'error-codes': [], challenge_ts: new Date(known.minted).toISOString(), hostname: 'localhost' })
      },
      () => sendJson(res, 400, { success: false, 'error-codes': ['bad-request'] }),
    )
  })
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${VERIFY_PATH}`,
    secret,
    mint,
    verifications: () => verifications,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
