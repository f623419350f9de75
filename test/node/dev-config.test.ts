import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { describe, expect, it } from 'vitest'
import { dotenvLine } from '../../dev/dotenv'
import { DEV_VARIABLES, parseDevOptions } from '../../dev/options'
import { ROOT } from '../../dev/paths'
import { CONFIG_VARIABLES, parseConfig } from '../../src/env'

const stores = {
  UPSTASH_REDIS_REST_URL: 'https://eu1-x.upstash.io',
  UPSTASH_REDIS_REST_TOKEN: 't',
  DATABASE_URL: 'postgresql://u:p@ep-x.neon.tech/db',
}

/** The message parseConfig gives for these variables ('' when they are fine). */
function configMessage(variables: Record<string, string | undefined>): string {
  try {
    parseConfig({ ...stores, ...variables })
    return ''
  } catch (err) {
    return (err as Error).message
  }
}

describe('configuration messages', () => {
  it('say what a number must be, in words', () => {
    for (const port of ['70000', '0', 'x', '3.5', '-1'])
      expect(configMessage({ PORT: port })).toBe('Invalid configuration: PORT must be a whole number from 1 to 65535')
    expect(configMessage({ REDIS_TTL: '100000' })).toBe('Invalid configuration: REDIS_TTL must be a whole number from 1 to 86400')
  })

  it('refuse URLs of the wrong kind and say which kind', () => {
    expect(configMessage({ DATABASE_URL: 'postgress://u:p@host/db' })).toMatch(
      /^Invalid configuration: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/,
    )
    expect(configMessage({ UPSTASH_REDIS_REST_URL: 'redis://host' })).toMatch(
      /^Invalid configuration: UPSTASH_REDIS_REST_URL must be an http:\/\/ or https:\/\/ URL/,
    )
    expect(configMessage({ JWT_JWKS_URL: 'jwks.json' })).toMatch(/JWT_JWKS_URL must be an http:\/\/ or https:\/\/ URL/)
  })

  it('say which store variables are missing', () => {
    const message = configMessage({ UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined, DATABASE_URL: undefined })
    expect(message).toContain('UPSTASH_REDIS_REST_URL is required: ')
    expect(message).toContain('UPSTASH_REDIS_REST_TOKEN is required: ')
    expect(message).toContain('DATABASE_URL is required: ')
    expect(message).not.toMatch(/Invalid input|expected string/)
  })

  it('accept only exact origins in CORS_ORIGINS and show the right form', () => {
    expect(configMessage({ CORS_ORIGINS: 'localhost:5173' })).toContain('"localhost:5173" (write http://localhost:5173)')
    expect(configMessage({ CORS_ORIGINS: 'https://Shop.example/' })).toContain('"https://Shop.example/" (write https://shop.example)')
    expect(configMessage({ CORS_ORIGINS: '*' })).toContain('"*" (list each origin')
    expect(configMessage({ CORS_ORIGINS: 'http://localhost:5173, https://shop.example' })).toBe('')
    expect(parseConfig({ ...stores, CORS_ORIGINS: 'http://localhost:5173, https://shop.example' }).CORS_ORIGINS).toEqual([
      'http://localhost:5173',
      'https://shop.example',
    ])
  })

  it('list the choices of LOG_LEVEL and treat an empty variable as unset', () => {
    expect(configMessage({ LOG_LEVEL: 'loud' })).toBe('Invalid configuration: LOG_LEVEL must be one of debug, info, warn, error, silent')
    expect(parseConfig({ ...stores, PORT: '', LOG_LEVEL: '', HOLD_MAX_SECONDS: '' })).toMatchObject({
      PORT: 3000,
      LOG_LEVEL: 'info',
      HOLD_MAX_SECONDS: 1200,
    })
  })

  it('check the dev-only variables the same way', () => {
    const devMessage = (env: Record<string, string>) => {
      try {
        parseDevOptions(env)
        return ''
      } catch (err) {
        return (err as Error).message
      }
    }
    expect(devMessage({ REDIS_URL: 'http://127.0.0.1:6379' })).toBe(
      'Invalid configuration: REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379',
    )
    expect(devMessage({ LOCAL_STORE_RTT_MS: '-5' })).toBe('Invalid configuration: LOCAL_STORE_RTT_MS must be a whole number from 0 to 10000')
    expect(parseDevOptions({ LOCAL_STORE_RTT_MS: '40', DEV_DATA_DIR: 'elsewhere', REDIS_URL: '' })).toEqual({
      rttMs: 40,
      dataDir: join(ROOT, 'elsewhere'),
      redisUrl: undefined,
    })
  })
})

/** Every `NAME=` line of .env.example, commented out or not. */
const exampleNames = [...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!)

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

describe('.env.example', () => {
  it('lists every variable of the configuration schema and of the dev tools', () => {
    const missing = [...CONFIG_VARIABLES, ...DEV_VARIABLES].filter((name) => !exampleNames.includes(name))
    expect(missing, 'add these to .env.example, with their default and meaning').toEqual([])
    expect(new Set(exampleNames).size).toBe(exampleNames.length)
  })

  it('names no variable that no code reads', () => {
    // Besides the two schemas, what src/ reads straight from process.env (e.g. the Node server's own).
    const readDirectly = new Set(
      sourceFiles(join(ROOT, 'src')).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!),
      ),
    )
    const known = new Set<string>([...CONFIG_VARIABLES, ...DEV_VARIABLES, ...readDirectly])
    expect(
      exampleNames.filter((name) => !known.has(name)),
      'remove these from .env.example (nothing reads them)',
    ).toEqual([])
  })

  it('changes nothing when copied to .env as it is', () => {
    expect(parseEnv(readFileSync(join(ROOT, '.env.example'), 'utf8'))).toEqual({})
  })
})

describe('dotenv lines of the variables npm run dev writes', () => {
  it('read back as the exact value', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a value that looks like an expansion, on purpose
    for (const value of ['plain', `a'b`, 'a"b`c', 'with #hash and  spaces ', 'back\\slash', '$HOME and ${PATH}', String.raw`C:\new`]) {
      expect(parseEnv(dotenvLine('V', value, false))).toEqual({ V: value })
    }
  })

  it('escape $ for wrangler, whose --env-file expands it', () => {
    expect(dotenvLine('V', 'a$HOME', true)).toBe(String.raw`V='a\$HOME'`)
  })

  it('refuse what no dotenv line can carry, naming the variable', () => {
    expect(() => dotenvLine('ADMIN_TOKEN', 'two\nlines', false)).toThrow(/^ADMIN_TOKEN cannot be written/)
    expect(() => dotenvLine('ADMIN_TOKEN', `'"\``, false)).toThrow(/^ADMIN_TOKEN cannot be written/)
  })
})
