import Ajv2020 from 'ajv/dist/2020.js'
import type { OpenAPIV3_1 } from 'openapi-types'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { openApiDocument } from '../../src/openapi/document'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

/** Every route path the app serves (documented or not: the docs routes too) → the methods it serves, in Allow's order. */
function servedPaths(): Map<string, string[]> {
  const byPath = new Map<string, Set<string>>()
  for (const route of createApp(() => ({}) as never).routes) {
    if (route.method === 'ALL') continue
    byPath.set(route.path, (byPath.get(route.path) ?? new Set()).add(route.method))
  }
  return new Map(
    [...byPath].map(([path, methods]) => {
      if (methods.has('GET')) methods.add('HEAD')
      return [path, METHODS.filter((m) => methods.has(m))]
    }),
  )
}

/** A request path for a route path: every `:param` filled with a value the route takes. */
const concrete = (path: string) =>
  path
    .replace(/:userId/g, 'alice')
    .replace(/:productId/g, '1')
    .replace(/:ticket/g, 'a-ticket')

let h: NodeHarness
let errorSchema: (body: unknown) => boolean
beforeAll(async () => {
  h = await startNodeHarness('allow')
  const doc = await openApiDocument(createApp(() => ({}) as never))
  const response = doc.components?.responses?.MethodNotAllowed as OpenAPIV3_1.ResponseObject
  expect(Object.keys(response.headers ?? {})).toContain('Allow')
  const ajv = new Ajv2020({ strict: false })
  errorSchema = ajv.compile({ ...(response.content!['application/json']!.schema as object), components: doc.components })
})
afterAll(() => h?.close())

describe('a served path asked with a method it does not serve', () => {
  const paths = servedPaths()

  it('knows every route path of the app', () => {
    expect([...paths.keys()].sort()).toEqual(
      [
        '/health',
        '/api/products',
        '/api/products/:productId',
        '/api/products/:productId/status',
        '/api/products/:productId/queue',
        '/api/products/:productId/queue/:ticket',
        '/api/reserve',
        '/api/reserve/bulk',
        '/api/reserve/:userId/:productId',
        '/api/checkout',
        '/api/users/:userId/reservations',
        '/api/users/:userId/orders',
        '/api/docs',
      ].sort(),
    )
  })

  for (const [path, allowed] of paths) {
    it(`${path}: 405 with Allow: ${allowed.join(', ')} for every other method`, async () => {
      for (const method of METHODS.filter((m) => !allowed.includes(m))) {
        const res = await h.api.raw(concrete(path), { method })
        expect({ method, status: res.status }).toEqual({ method, status: 405 })
        expect(res.headers.get('allow'), method).toBe(allowed.join(', '))
        if (method === 'HEAD') continue // no body, as for every HEAD
        expect(res.body, method).toMatchObject({ success: false, code: 'METHOD_NOT_ALLOWED' })
        expect(res.body.error).toContain(concrete(path))
        expect(errorSchema(res.body), method).toBe(true)
      }
      for (const method of allowed) {
        const res = await h.api.raw(concrete(path), { method })
        expect({ method, status: res.status }).not.toEqual({ method, status: 405 })
        expect(res.headers.get('allow'), method).toBeNull()
      }
    })
  }

  it('answers 404 NOT_FOUND, without Allow, for paths no route serves', async () => {
    for (const path of ['/api/nothing', '/api/products/1/nope', '/api/reserve/alice', '/api/users/alice', '/api/reserve/', '/healthz']) {
      for (const method of ['GET', 'PUT']) {
        const res = await h.api.raw(path, { method })
        expect({ path, method, status: res.status }).toEqual({ path, method, status: 404 })
        expect(res.body).toMatchObject({ success: false, code: 'NOT_FOUND' })
        expect(res.headers.get('allow')).toBeNull()
      }
    }
  })
})

describe('with CORS_ORIGINS set', () => {
  const origin = 'https://shop.example'

  it('still answers the preflight of every route path, and a 405 carries the CORS headers', async () => {
    const api = h.api.withConfig({ CORS_ORIGINS: origin })
    for (const [path, allowed] of servedPaths()) {
      const preflight = await api.raw(concrete(path), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': allowed.find((m) => m !== 'HEAD')! },
      })
      expect({ path, status: preflight.status }).toEqual({ path, status: 204 })
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin)
      const other = METHODS.find((m) => m !== 'OPTIONS' && !allowed.includes(m))!
      const refused = await api.raw(concrete(path), { method: other, headers: { origin } })
      expect({ path, other, status: refused.status }).toEqual({ path, other, status: 405 })
      expect(refused.headers.get('access-control-allow-origin')).toBe(origin)
      expect(refused.headers.get('allow')).toBe(allowed.join(', '))
    }
  })
})
