import type { Deps } from './deps'

/** Hono generics shared by every route and middleware. */
export interface AppEnv {
  Bindings: Record<string, unknown>
  Variables: {
    deps: Deps
    requestId: string
  }
}
