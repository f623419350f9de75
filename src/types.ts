import type { Deps } from './deps'

/** Hono generics shared by every route and middleware. */
export interface AppEnv {
  Bindings: Record<string, unknown>
  Variables: {
    deps: Deps
    requestId: string
    /** the client's address as the platform reports it */
    clientIp?: string
    /** the shopper a request acts for, once known (for the request log) */
    userId?: string
    /** what the rate limiter decided (for the request log) */
    rateLimit?: string
  }
}
