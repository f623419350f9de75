import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { configFrom } from '../../src/env'

describe('the API reference in workerd', () => {
  it('serves the reference page, pointing at the document the static assets serve', async () => {
    const app = createApp((bindings) => edgeDeps(configFrom(bindings)))
    const page = await app.request('http://flash.test/api/docs', {}, env)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('data-url="/api/openapi.json"')
    // The document itself is public/api/openapi.json (Workers assets), not a route of the Worker.
    expect((await app.request('http://flash.test/api/openapi.json', {}, env)).status).toBe(404)
  })
})
