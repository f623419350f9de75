/**
 * Text signed with HMAC-SHA-256 (Web Crypto: the same in Workers, Vercel
 * Edge and Node): `<payload, base64url>.<signature, base64url>`. Whoever
 * holds the key can tell a token it signed from any other, with no store.
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A signed token as text: two base64url parts, the signature 32 bytes. */
export const SIGNED_PATTERN = /^[A-Za-z0-9_-]{1,400}\.[A-Za-z0-9_-]{43}$/

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

export function signingKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
}

export async function seal(key: CryptoKey, payload: string): Promise<string> {
  const body = encoder.encode(payload)
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, body))
  return `${base64url(body)}.${base64url(signature)}`
}

/**
 * The payload of a token `key` signed, or undefined for anything else (the
 * comparison is Web Crypto's, in constant time). Only the one text `seal`
 * gives is taken: base64 with other unused low bits is another text.
 */
export async function unseal(key: CryptoKey, token: string): Promise<string | undefined> {
  if (!SIGNED_PATTERN.test(token)) return undefined
  const [body, signature] = token.split('.') as [string, string]
  try {
    const [bytes, mac] = [fromBase64url(body), fromBase64url(signature)]
    if (base64url(bytes) !== body || base64url(mac) !== signature) return undefined
    if (!(await crypto.subtle.verify('HMAC', key, mac, bytes))) return undefined
    return decoder.decode(bytes)
  } catch {
    return undefined
  }
}
