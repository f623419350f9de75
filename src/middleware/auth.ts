import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { verify, verifyWithJwks } from 'hono/jwt'
import { AppError } from '../errors/app-error'
import { sha256 } from '../sha256'
import type { AppEnv } from '../types'

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' }

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
  if (!expected) throw new AppError(403, 'FORBIDDEN', 'Admin routes are disabled: ADMIN_TOKEN is not set')
  const given = bearer(c)
  if (!given) throw new AppError(401, 'UNAUTHORIZED', 'Send the admin token as Authorization: Bearer <token>', undefined, CHALLENGE)
  if (!(await sameToken(given, expected))) throw new AppError(403, 'FORBIDDEN', 'Wrong admin token')
  await next()
})

/**
 * Shopper routes act for one user. When JWT_SECRET (HS256) or JWT_JWKS_URL is
 * set, a bearer JWT whose `sub` is that user is required.
 */
export const shopper = (userIdOf: (c: Context<AppEnv>) => string | undefined) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const userId = userIdOf(c)
    if (userId) c.set('userId', userId)
    const { JWT_SECRET, JWT_JWKS_URL } = c.get('deps').config
    if (!JWT_SECRET && !JWT_JWKS_URL) return next()
    const token = bearer(c)
    if (!token) throw new AppError(401, 'UNAUTHORIZED', 'Send a bearer token for this user', undefined, CHALLENGE)
    let payload: Record<string, unknown>
    try {
      payload = JWT_SECRET
        ? await verify(token, JWT_SECRET, 'HS256')
        : await verifyWithJwks(token, { jwks_uri: JWT_JWKS_URL, allowedAlgorithms: ['RS256', 'ES256', 'EdDSA'] })
    } catch (err) {
      const expired = err instanceof Error && err.name === 'JwtTokenExpired'
      throw new AppError(401, 'UNAUTHORIZED', expired ? 'Token expired' : 'Invalid token', undefined, CHALLENGE)
    }
    if (payload.sub !== userId) throw new AppError(403, 'FORBIDDEN', 'The token is for another user')
    await next()
  })

export const paramUserId = (c: Context<AppEnv>) => c.req.param('userId')
