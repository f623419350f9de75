import { createApp } from '../app'
import { edgeDeps } from '../deps'
import { configFrom } from '../env'

const app = createApp((env) => edgeDeps(configFrom(env)))

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Record<string, unknown>>
