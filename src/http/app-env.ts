import type { Deps } from '../deps'

/** Hono generics shared by every route and middleware. */
export interface AppEnv {
  Bindings: Record<string, unknown>
  Variables: {
    deps: Deps
    requestId: string
    /** the client's address as the platform reports it */
    clientIp?: string
    /** the address writes are counted against (src/limits/address.ts), once a shopper route has read it */
    address?: string
    /** who a shopper route's writes are counted against: the verified JWT subject, else address|user id */
    customer?: string
    /** the shopper a request acts for, once known (for the request log) */
    userId?: string
    /** what the rate limiter decided (for the request log) */
    rateLimit?: string
  }
}
