import { handle } from 'hono/cloudflare-pages'
import { pagesApp } from '../../../src/entry/pages'

export const onRequest = handle(pagesApp('/api/reserve'))
