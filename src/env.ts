import * as z from 'zod'
import { PREFIX_PATTERN } from './engine/keys'
import { perConfig } from './lib/per-config'

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v)

/** An integer variable given as a string (env vars always are) or a number. */
export const int = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  )
}

/** A URL variable; `what` says what it is for when it is missing or malformed. */
const url = (protocol: RegExp, what: string) =>
  z.preprocess(emptyToUndefined, z.url({ protocol, error: (issue) => (issue.input === undefined ? `is required: ${what}` : `must be ${what}`) }))
const httpUrl = (what: string) => url(/^https?$/, `an http:// or https:// URL (${what})`)

/**
 * CORS compares the browser's Origin header (scheme://host[:port]) exactly:
 * for an entry that can never match it, what to write instead.
 */
function originFix(entry: string): string | undefined {
  if (!entry.includes('://')) {
    if (!/^(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:\d+)?$/i.test(entry)) return 'list each origin, e.g. https://shop.example'
    const local = /^(localhost|127\.|\[::1\])/i.test(entry)
    return `write ${new URL(`${local ? 'http' : 'https'}://${entry}`).origin}`
  }
  let parsed: URL
  try {
    parsed = new URL(entry)
  } catch {
    return 'not a URL'
  }
  if (!/^https?:$/.test(parsed.protocol)) return 'only http:// and https:// origins are allowed'
  return parsed.origin === entry ? undefined : `write ${parsed.origin}`
}

const shape = {
  PORT: int(1, 65_535).default(3000),
  REDIS_TTL: int(1, 86_400).default(600),
  HOLD_MAX_SECONDS: int(1, 172_800).optional(),
  RATE_LIMIT_WINDOW_MS: int(1000, 86_400_000).default(900_000),
  RATE_LIMIT_MAX_REQUESTS: int(1, 1_000_000).default(100),
  REDIS_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(PREFIX_PATTERN, 'must be 1-64 letters, digits, _ . or -').default('fd')),
  UPSTASH_REDIS_REST_URL: httpUrl('the REST URL of the Upstash database, https://<name>.upstash.io'),
  UPSTASH_REDIS_REST_TOKEN: z.preprocess(emptyToUndefined, z.string({ error: 'is required: the REST token of the Upstash database' })),
  DATABASE_URL: url(/^postgres(ql)?$/, 'a postgres:// or postgresql:// URL (postgresql://user:password@host/database)'),
  /** Where the Neon driver sends its HTTP queries; unset means Neon's own endpoint for the host. */
  NEON_FETCH_ENDPOINT: httpUrl('the Neon SQL-over-HTTP endpoint').optional(),
  USER_RATE_LIMIT_WINDOW_MS: int(1000, 86_400_000).default(60_000),
  USER_RATE_LIMIT_MAX_REQUESTS: int(1, 1_000_000).default(10),
  /** Most units one client address (IPv6: its /64) may hold of one product at a time; 0 = no limit. */
  MAX_HELD_PER_ADDRESS: int(0, 1_000_000).default(10),
  /**
   * Seconds a product's or a status's answer may be served from a cache (s-maxage, and the Workers
   * Cache API); 0 = every answer exact, never cached.
   */
  PUBLIC_READ_CACHE_SECONDS: int(0, 3600).default(0),
  /** When set, reserve and bulk reserve need a Cloudflare Turnstile token (CF-Turnstile-Response). */
  TURNSTILE_SECRET_KEY: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  TURNSTILE_VERIFY_URL: httpUrl('the Turnstile siteverify endpoint').default('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  /** HMAC-SHA-256 key of the waiting room's tickets and admission tokens; unset, joining a line answers 500 CONFIGURATION_ERROR. */
  QUEUE_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  /** Bearer token for product writes; unset, those routes refuse everyone. */
  ADMIN_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  /** When set (HS256), shopper routes need a bearer JWT whose sub is the user_id. */
  JWT_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  JWT_JWKS_URL: httpUrl('the JSON Web Key Set of the token issuer').optional(),
  /** When set, a shopper JWT's `aud` must include it. */
  JWT_AUDIENCE: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  /** When set, a shopper JWT's `iss` must be it. */
  JWT_ISSUER: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  /** Comma-separated origins allowed by CORS; none by default. */
  CORS_ORIGINS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default('')
      .transform((list) =>
        list
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .check((ctx) => {
        const problems = ctx.value.flatMap((entry) => {
          const fix = originFix(entry)
          return fix ? [`"${entry}" (${fix})`] : []
        })
        if (problems.length === 0) return
        const message = `has entries that are not origins: ${problems.join(', ')}. Origins are scheme://host[:port], comma-separated, e.g. http://localhost:5173,https://shop.example`
        ctx.issues.push({ code: 'custom', message, input: ctx.value })
      }),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'must be one of debug, info, warn, error, silent' }).default('info'),
  ),
}

/** The name of every variable the API reads. */
export const CONFIG_VARIABLES = Object.keys(shape) as (keyof typeof shape)[]

const schema = z
  .object(shape)
  .transform(({ HOLD_MAX_SECONDS, ...rest }) => ({
    ...rest,
    HOLD_MAX_SECONDS: HOLD_MAX_SECONDS ?? 2 * rest.REDIS_TTL,
  }))
  .refine((c) => c.HOLD_MAX_SECONDS >= c.REDIS_TTL, {
    path: ['HOLD_MAX_SECONDS'],
    message: 'must be at least REDIS_TTL',
  })

export type Config = z.output<typeof schema>
export type ConfigInput = z.input<typeof schema>

/** Thrown when configuration is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable} ${i.message}`).join('; ')}`)
    this.name = 'ConfigError'
  }
}

export function parseConfig(source: Record<string, unknown>): Config {
  return parseVariables(schema, source)
}

/** Parses variables with a zod schema; an empty variable counts as unset (its default applies). */
export function parseVariables<T extends z.ZodType>(variables: T, source: Record<string, unknown>): z.output<T> {
  const given = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''))
  const result = variables.safeParse(given)
  if (result.success) return result.data
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: issue.path.join('.') || '(root)',
      message: issue.message,
    })),
  )
}

/**
 * Workers hand the same `env` object to every request of an isolate, so the
 * configuration is parsed once per env, not once per request.
 */
export const configFrom = perConfig((env: object): Config => parseConfig(env as Record<string, unknown>))
