// Shopper JWTs against a JWKS served locally (counting its fetches), and the
// optional Turnstile challenge against the local siteverify server.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

let h: NodeHarness
let jwks: { url: string; fetches: number; mode: 'ok' | 'hang' | 'fail'; server: Server }
let privateKey: CryptoKey
const KID = 'test-key-1'

beforeAll(async () => {
  h = await startNodeHarness('auth')
  const pair = await generateKeyPair('RS256', { extractable: true })
  privateKey = pair.privateKey
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }
  const server = createServer((_req, res) => {
    jwks.fetches++
    if (jwks.mode === 'hang') return // never answers
    if (jwks.mode === 'fail') return void res.writeHead(500).end('upstream broke')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  jwks = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, fetches: 0, mode: 'ok', server }
})
afterAll(async () => {
  jwks?.server.closeAllConnections()
  await new Promise((resolve) => jwks?.server.close(resolve))
  await h?.close()
})

async function product() {
  const res = await h.api.call('POST', '/api/products', { name: 'Auth', total_stock: 100 })
  expect(res.status).toBe(201)
  return res.body.data.id as string
}

interface Claims {
  sub?: string
  exp?: number | string
  aud?: string
  iss?: string
  kid?: string
}

async function token(claims: Claims = {}, key: CryptoKey = privateKey): Promise<string> {
  const { kid = KID, exp = '1m', ...rest } = claims
  const jwt = new SignJWT(rest).setProtectedHeader({ alg: 'RS256', kid })
  if (exp !== undefined && exp !== 0) jwt.setExpirationTime(exp)
  return `Bearer ${await jwt.sign(key)}`
}

describe('shopper JWTs from a JWKS', () => {
  it('fetches the JWKS once for 50 requests, junk signatures included', async () => {
    const api = h.api.withConfig({ JWT_JWKS_URL: jwks.url })
    const id = await product()
    jwks.fetches = 0
    const { privateKey: stranger } = await generateKeyPair('RS256')
    const junk = await Promise.all(
      Array.from({ length: 25 }, async (_, i) =>
        api.call('POST', '/api/reserve', { user_id: `j${i}`, product_id: id, quantity: 1 }, { authorization: await token({ sub: `j${i}` }, stranger) }),
      ),
    )
    expect(junk.every((r) => r.status === 401)).toBe(true)
    const real = await Promise.all(
      Array.from({ length: 25 }, async (_, i) =>
        api.call('POST', '/api/reserve', { user_id: `r${i}`, product_id: id, quantity: 1 }, { authorization: await token({ sub: `r${i}` }) }),
      ),
    )
    expect(real.every((r) => r.status === 201)).toBe(true)
    expect(jwks.fetches).toBe(1)
    // A token naming a key the set lacks refetches it at most once per cooldown.
    for (let i = 0; i < 5; i++) {
      const unknownKid = await api.call('POST', '/api/reserve', { user_id: 'k', product_id: id, quantity: 1 }, { authorization: await token({ sub: 'k', kid: 'rotated' }) })
      expect(unknownKid.status).toBe(401)
    }
    expect(jwks.fetches).toBeLessThanOrEqual(2)
  })

  it('needs exp, and the configured audience and issuer', async () => {
    const api = h.api.withConfig({ JWT_JWKS_URL: jwks.url, JWT_AUDIENCE: 'flash-deal', JWT_ISSUER: 'https://auth.shop.example' })
    const id = await product()
    const body = { user_id: 'claims', product_id: id, quantity: 1 }
    const good = { sub: 'claims', aud: 'flash-deal', iss: 'https://auth.shop.example' }
    const answer = async (claims: Claims) => (await api.call('POST', '/api/reserve', body, { authorization: await token(claims) })).status
    expect(await answer({ ...good, exp: 0 })).toBe(401) // no exp
    expect(await answer({ ...good, aud: 'another-api' })).toBe(401)
    expect(await answer({ ...good, iss: 'https://evil.example' })).toBe(401)
    expect(await answer({ ...good, exp: Math.floor(Date.now() / 1000) - 10 })).toBe(401)
    expect(await answer(good)).toBe(201)
  })

  it('a JWKS that fails or hangs is a 503 with Retry-After within the timeout, not a 401', async () => {
    const id = await product()
    const body = { user_id: 'outage', product_id: id, quantity: 1 }
    jwks.mode = 'fail'
    const failing = await h.api.withConfig({ JWT_JWKS_URL: jwks.url }).call('POST', '/api/reserve', body, { authorization: await token({ sub: 'outage' }) })
    expect(failing.status).toBe(503)
    expect(failing.headers.get('retry-after')).toBeTruthy()
    expect(JSON.stringify(failing.body)).not.toContain('upstream broke')

    jwks.mode = 'hang'
    const started = Date.now()
    const hanging = await h.api.withConfig({ JWT_JWKS_URL: jwks.url }).call('POST', '/api/reserve', body, { authorization: await token({ sub: 'outage' }) })
    expect(hanging.status).toBe(503)
    expect(Date.now() - started).toBeLessThan(4500) // the 3 s fetch timeout, not the JWKS's whim
    jwks.mode = 'ok'
  })
})

describe('Turnstile (TURNSTILE_SECRET_KEY), against the local stack\'s siteverify', () => {
  const reserve = (api: typeof h.api, user: string, id: string, headers: Record<string, string> = {}) =>
    api.call('POST', '/api/reserve', { user_id: user, product_id: id, quantity: 1 }, { 'cf-connecting-ip': '198.51.100.20', ...headers })

  it('needs a token that siteverify accepts; a retry with it costs no second verification', async () => {
    const api = h.api.withConfig({ TURNSTILE_SECRET_KEY: h.stack.turnstile.secret, TURNSTILE_VERIFY_URL: h.stack.turnstile.url })
    const id = await product()
    const missing = await reserve(api, 'ts-1', id)
    expect(missing.status).toBe(403)
    expect(missing.body.code).toBe('CHALLENGE_REQUIRED')
    const junk = await reserve(api, 'ts-1', id, { 'cf-turnstile-response': 'not-a-token' })
    expect(junk.status).toBe(403)
    expect(junk.body.code).toBe('CHALLENGE_FAILED')

    const passed = h.stack.turnstile.mint()
    const before = h.stack.turnstile.verifications()
    expect((await reserve(api, 'ts-1', id, { 'cf-turnstile-response': passed })).status).toBe(201)
    expect((await reserve(api, 'ts-1', id, { 'cf-turnstile-response': passed })).status).toBe(201)
    expect(h.stack.turnstile.verifications()).toBe(before + 1)
    // The same token from another network is verified again, and Turnstile says it is spent.
    const elsewhere = await reserve(api, 'ts-2', id, { 'cf-turnstile-response': passed, 'cf-connecting-ip': '198.51.100.99' })
    expect(elsewhere.body.code).toBe('CHALLENGE_FAILED')
    // Bulk needs one too; checkout (which needs a hold) does not.
    const bulk = await api.call('POST', '/api/reserve/bulk', { user_id: 'ts-1', items: [{ product_id: id, quantity: 1 }] })
    expect(bulk.body.code).toBe('CHALLENGE_REQUIRED')
    const checkout = await api.call('POST', '/api/checkout', { user_id: 'ts-1', product_id: id, quantity: 1, total_amount: 0 })
    expect(checkout.status).toBe(201)
  })

  it('siteverify out of reach is a 503, not a pass', async () => {
    const api = h.api.withConfig({ TURNSTILE_SECRET_KEY: h.stack.turnstile.secret, TURNSTILE_VERIFY_URL: 'http://127.0.0.1:1/siteverify' })
    const id = await product()
    const res = await reserve(api, 'ts-3', id, { 'cf-turnstile-response': h.stack.turnstile.mint() })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBeTruthy()
  })
})
