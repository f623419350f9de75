import type { ExecutionContext } from 'hono'
import { createApp } from '../app'
import { edgeDeps } from '../deps'
import { configFrom } from '../env'

// Vercel hands configuration to Edge Functions as process.env (one object for
// the isolate's life, so configFrom parses it once). It sets x-real-ip itself,
// replacing whatever the client sent; cf-connecting-ip would be the client's word.
const app = createApp((_, scope) => edgeDeps(configFrom(process.env), scope), {
  clientIp: (c) => c.req.header('x-real-ip'),
})

/**
 * Vercel calls an Edge Function with the request and a context whose
 * waitUntil keeps the function alive for work after the answer (a checkout's
 * settle); hono/vercel's handle() drops that context, so this passes it on.
 */
export default (request: Request, context?: Pick<ExecutionContext, 'waitUntil'>) => app.fetch(request, {}, context as ExecutionContext | undefined)
