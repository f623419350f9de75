import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { configFrom } from '../../src/env'

describe('the API reference in workerd', () => {
  it('serves the OpenAPI document made at build time, and the reference page', async () => {
    const app = createApp((bindings) => edgeDeps(configFrom(bindings)))
    const res = await app.request('http://flash.test/api/openapi.json', {}, env)
    expect(res.status).toBe(200)
    const doc = await res.json<any>()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'http://flash.test' })])
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/api/products', '/api/checkout', '/api/users/{userId}/orders']))
    expect(doc.components.schemas.CreateProduct.examples).toHaveLength(1)

    const page = await app.request('/api/docs', {}, env)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('/api/openapi.json')
  })
})
