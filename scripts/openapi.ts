// Writes the OpenAPI document (public/api/openapi.json) from the route
// declarations. It is a static file, served as /api/openapi.json by every door
// (Workers assets, Pages, Vercel, withStaticPages on Node) and never bundled
// into the Worker; test/unit/openapi.test.ts fails while it is stale.
// Usage: npm run openapi
import { writeFileSync } from 'node:fs'
import { createApp } from '../src/app'
import { openApiDocument } from '../src/openapi/document'

export const DOCUMENT_FILE = new URL('../public/api/openapi.json', import.meta.url)

/** The document as committed: what `createApp()` declares, in stable JSON. */
export async function documentText(): Promise<string> {
  const app = createApp(() => {
    throw new Error('the document is made without serving requests')
  })
  return `${JSON.stringify(await openApiDocument(app), null, 2)}\n`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(DOCUMENT_FILE, await documentText())
  console.log(`wrote ${DOCUMENT_FILE.pathname}`)
}
