import { createMiddleware } from 'hono/factory'
import type { Config } from '../env'
import { perConfig } from '../lib/per-config'
import { AppError } from '../errors/app-error'
import type { AppEnv } from '../http/app-env'
import { chargeRefused } from './auth'

/** The header a storefront sends the Turnstile widget's token in. */
export const TURNSTILE_HEADER = 'CF-Turnstile-Response'
const VERIFY_TIMEOUT_MS = 3000
/** Turnstile tokens live 300 s; a verdict is kept as long, so a retry is not a second siteverify. */
const VERDICT_TTL_MS = 300_000
const MAX_VERDICTS = 10_000
const MAX_TOKEN_LENGTH = 2048

interface Verdict {
  success: boolean
  until: number
}

const verdicts = perConfig((_: Config) => new Map<string, Verdict>())

/** Cloudflare's siteverify (https://developers.cloudflare.com/turnstile/get-started/server-side-validation/). */
async function siteverify(config: Config, token: string, remoteIp: string | undefined): Promise<boolean> {
  const form = new URLSearchParams({ secret: config.TURNSTILE_SECRET_KEY!, response: token })
  if (remoteIp) form.set('remoteip', remoteIp)
  let outcome: { success?: unknown }
  try {
    const res = await fetch(config.TURNSTILE_VERIFY_URL, { method: 'POST', body: form, signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS) })
    if (!res.ok) throw new Error(`siteverify answered ${res.status}`)
    outcome = (await res.json()) as { success?: unknown }
  } catch {
    throw new AppError('SERVICE_UNAVAILABLE', 'The challenge could not be verified, try again shortly', { retryAfter: 2 })
  }
  return outcome.success === true
}

/**
 * With TURNSTILE_SECRET_KEY set, a reserve needs a Turnstile token: missing →
 * 403 CHALLENGE_REQUIRED, refused by siteverify → 403 CHALLENGE_FAILED (both
 * spend the address's write budget). Verdicts are cached per token and address.
 */
export const turnstile = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get('deps').config
  if (!config.TURNSTILE_SECRET_KEY) return next()
  const token = c.req.header(TURNSTILE_HEADER)
  const address = c.get('address')!
  if (!token || token.length > MAX_TOKEN_LENGTH) {
    await chargeRefused(c, address)
    throw new AppError('CHALLENGE_REQUIRED', `Send the Turnstile token in the ${TURNSTILE_HEADER} header`)
  }
  // Per address too: a token passed around a bot farm is not passed for every address.
  const cache = verdicts(config)
  const key = `${address}|${token}`
  const now = Date.now()
  let verdict = cache.get(key)
  if (!verdict || verdict.until <= now) {
    verdict = { success: await siteverify(config, token, c.get('clientIp')), until: now + VERDICT_TTL_MS }
    cache.set(key, verdict)
    if (cache.size > MAX_VERDICTS) cache.delete(cache.keys().next().value!)
  }
  if (!verdict.success) {
    await chargeRefused(c, address)
    throw new AppError('CHALLENGE_FAILED', 'The Turnstile challenge was not passed')
  }
  await next()
})
