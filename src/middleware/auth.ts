import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose'
import type { Guard } from '../engine'
import type { Config } from '../env'
import { perConfig } from '../lib/per-config'
import { AppError, rateLimitedError } from '../errors/app-error'
import { clientAddress } from '../limits/address'
import { sha256 } from '../lib/sha256'
import type { AppEnv } from '../http/app-env'

/** A JWKS that has not answered by then is down: 503, not a request that hangs. */
const JWKS_TIMEOUT_MS = 3000
/** A token naming a key the cached JWKS lacks refetches it at most this often. */
const JWKS_COOLDOWN_MS = 30_000
const JWKS_MAX_AGE_MS = 600_000
const ALGORITHMS = ['RS256', 'ES256', 'EdDSA']

function bearer(c: Context<AppEnv>): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')
  return match?.[1]
}

/** Compares digests, so the time taken says nothing about the token. */
async function sameToken(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)])
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** Product writes: `Authorization: Bearer <ADMIN_TOKEN>`; with no ADMIN_TOKEN set they refuse everyone. */
export const adminOnly = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.get('deps').config.ADMIN_TOKEN
  if (!expected) throw new AppError('FORBIDDEN', 'Admin routes are disabled: ADMIN_TOKEN is not set')
  const given = bearer(c)
  if (!given) throw new AppError('UNAUTHORIZED', 'Send the admin token as Authorization: Bearer <token>')
  if (!(await sameToken(given, expected))) throw new AppError('FORBIDDEN', 'Wrong admin token')
  await next()
})

// The key set (with jose's cache, cooldown and timeout) must outlive requests:
// one per isolate's parsed configuration.
const verificationKey = perConfig((config: Config): JWTVerifyGetKey => {
  const secret = config.JWT_SECRET ? new TextEncoder().encode(config.JWT_SECRET) : undefined
  if (secret) return async () => secret
  return createRemoteJWKSet(new URL(config.JWT_JWKS_URL!), {
    timeoutDuration: JWKS_TIMEOUT_MS,
    cooldownDuration: JWKS_COOLDOWN_MS,
    cacheMaxAge: JWKS_MAX_AGE_MS,
  })
})

/** The JWKS could not be had (timeout, network, not 200, not a key set): ours to fix, not the caller's token. */
function keysUnavailable(err: unknown): boolean {
  return (
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid ||
    (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC') ||
    err instanceof TypeError
  )
}

/** The verified `sub` of a shopper token, or the refusal. */
async function verifiedSubject(config: Config, token: string): Promise<string> {
  const key = verificationKey(config)
  const options = {
    algorithms: config.JWT_SECRET ? ['HS256'] : ALGORITHMS,
    requiredClaims: ['exp', 'sub'],
    ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
    ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
  }
  try {
    const { payload } = await jwtVerify(token, key, options)
    return String(payload.sub)
  } catch (err) {
    if (keysUnavailable(err)) {
      throw new AppError('SERVICE_UNAVAILABLE', 'The token keys (JWKS) could not be fetched, try again shortly', { retryAfter: 5 })
    }
    const message = err instanceof errors.JWTExpired ? 'Token expired' : 'Invalid token'
    throw new AppError('UNAUTHORIZED', message)
  }
}

/**
 * Shopper routes act for one user. When JWT_SECRET (HS256) or JWT_JWKS_URL is
 * set, a bearer JWT with `exp` whose `sub` is that user is required (and its
 * `aud` and `iss` when JWT_AUDIENCE and JWT_ISSUER are set). A refused token
 * spends the client address's write budget, on a read route too, so guessing
 * tokens costs as much as writing.
 *
 * Sets `customer`, who the request's writes are counted against: the
 * verified subject, else the address and the claimed user id together, so
 * nobody can spend another customer's budget by claiming their id.
 */
export const shopper = (userIdOf: (c: Context<AppEnv>) => string | undefined) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const userId = userIdOf(c) ?? ''
    if (userId) c.set('userId', userId)
    const deps = c.get('deps')
    const { JWT_SECRET, JWT_JWKS_URL } = deps.config
    const address = clientAddress(c.get('clientIp'))
    c.set('address', address)
    if (!JWT_SECRET && !JWT_JWKS_URL) {
      c.set('customer', `${address}|${userId}`)
      return next()
    }
    try {
      const token = bearer(c)
      if (!token) throw new AppError('UNAUTHORIZED', 'Send a bearer token for this user')
      const subject = await verifiedSubject(deps.config, token)
      if (subject !== userId) throw new AppError('FORBIDDEN', 'The token is for another user')
      c.set('customer', subject)
    } catch (err) {
      if (err instanceof AppError && (err.code === 'UNAUTHORIZED' || err.code === 'FORBIDDEN')) await chargeRefused(c, address)
      throw err
    }
    await next()
  })

/** A write refused before its script ran still counts against the address (and may hit its limit). */
export async function chargeRefused(c: Context<AppEnv>, address: string): Promise<void> {
  const charged = await c.get('deps').engine.chargeAddress(address)
  if (!charged.ok) throw rateLimitedError(charged.scope, charged.resetAt)
}

export const paramUserId = (c: Context<AppEnv>) => c.req.param('userId')

/** The user id of a validated JSON body (reserve, bulk, checkout). */
export const bodyUserId = (c: Context<AppEnv>) => (c.req.valid as (target: 'json') => { user_id?: string })('json').user_id

/** Who a shopper write counts against, as shopper() found it. */
export function writeGuard(c: Context<AppEnv>): Guard {
  const address = c.get('address')
  const customer = c.get('customer')
  if (address === undefined || customer === undefined) throw new Error('writeGuard() needs the shopper() middleware first')
  return { address, customer }
}
