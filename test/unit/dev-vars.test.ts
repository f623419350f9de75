import { describe, expect, it } from 'vitest'
import { isLoopbackUrl, workerVars } from '../../dev/worker-vars'

const local = {
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:5001',
  UPSTASH_REDIS_REST_TOKEN: 'local-token',
  DATABASE_URL: 'postgresql://flashdeal:local@127.0.0.1:5002/pglite',
  NEON_FETCH_ENDPOINT: 'http://127.0.0.1:5002/sql',
}

describe('the variables npm run dev gives the Worker', () => {
  it('passes the caller’s configuration through and points the stores at the local services', () => {
    const vars = workerVars({ REDIS_TTL: '2', PORT: '4000', LOG_LEVEL: '', UNRELATED: 'x' }, local, { realRedis: false, realDb: false })
    expect(vars).toEqual({ REDIS_TTL: '2', PORT: '4000', ...local })
  })

  it('keeps real Upstash and Neon when they are given', () => {
    const env = {
      UPSTASH_REDIS_REST_URL: 'https://eu1-x.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: 'real',
      DATABASE_URL: 'postgresql://u:p@ep-x.eu-central-1.aws.neon.tech/db?sslmode=require',
    }
    expect(workerVars(env, undefined, { realRedis: true, realDb: true })).toEqual(env)
    expect(workerVars(env, local, { realRedis: true, realDb: false })).toMatchObject({
      UPSTASH_REDIS_REST_URL: 'https://eu1-x.upstash.io',
      DATABASE_URL: local.DATABASE_URL,
    })
  })

  it('tells a local Postgres from a remote one', () => {
    expect(isLoopbackUrl('postgres://postgres@127.0.0.1:5432/test')).toBe(true)
    expect(isLoopbackUrl('postgres://postgres@localhost/test')).toBe(true)
    expect(isLoopbackUrl('postgresql://u:p@ep-x.neon.tech/db')).toBe(false)
  })
})
