import { handle } from 'hono/vercel'
import { createApp } from '../app'
import { edgeDeps } from '../deps'
import { configFrom } from '../env'

// Vercel hands configuration to Edge Functions as process.env (one object for
// the isolate's life, so configFrom parses it once). It sets x-real-ip itself,
// replacing whatever the client sent; cf-connecting-ip would be the client's word.
const app = createApp(() => edgeDeps(configFrom(process.env)), {
  clientIp: (c) => c.req.header('x-real-ip'),
})

export default handle(app)
