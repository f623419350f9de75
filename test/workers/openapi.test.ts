import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { configFrom } from '../../src/env'
import { createDocsRoutes } from '../../src/routes/docs'

describe('the API reference in workerd', () => {
  it('makes the OpenAPI document and serves the reference page', async () => {
    const app = createApp((bindings) => edgeDeps(configFrom(bindings)))
    // Until src/app.ts mounts them itself.
    if (!app.routes.some((route) => route.path === '/api/openapi.json')) app.route('/api', createDocsRoutes(app))

    const res = await app.request('/api/openapi.json', {}, env)
    expect(res.status).toBe(200)
    const doc = await res.json<any>()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/api/products', '/api/checkout', '/api/users/{userId}/orders']))
    expect(doc.components.schemas.CreateProduct.examples).toHaveLength(1)

    const page = await app.request('/api/docs', {}, env)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('/api/openapi.json')
  })
})
