import type { StoreVars } from '../../dev/local-stack'
import { groupCpuSeconds } from '../lib/child'
import { closedLoop } from '../lib/closed-loop'
import { addProduct, benchEngine } from '../lib/engine'
import type { BenchEnv } from '../lib/env'
import { postLoad, type LoadResult } from '../lib/load'
import { BENCH_ADMIN_TOKEN } from '../peers/flash-deal'
import type { Counters } from '../peers/server'

/**
 * The servers of the HTTP scenario and how the table names them: the
 * self-hosted server as `npm start` runs it (node dist/node.js, with WORKERS
 * 1 and 2), the others bench/peers/serve.ts kinds.
 */
export const SERVERS = {
  bare: 'bare Hono (HTTP ceiling)',
  floor: 'floor: Hono + 1 EVALSHA (ioredis)',
  'self-host': 'Flash Deal self-host (npm start)',
  'self-host-2': 'Flash Deal self-host, WORKERS=2',
  edge: 'Flash Deal edge path (@upstash/redis)',
  original: 'original design (Express+Joi+ioredis)',
  'postgres-only': 'Postgres only (pg Pool 10)',
} as const
export type Kind = keyof typeof SERVERS
export const KINDS = Object.keys(SERVERS) as Kind[]
/** The built self-hosted server with this many WORKERS, by kind. */
export const BUILT: Partial<Record<Kind, number>> = { 'self-host': 1, 'self-host-2': 2 }
export const STOCK = 1_000_000_000

/** A server under load: where it listens and its process group (for its CPU time). */
export interface Served {
  info: { port: number }
  pid: number
  stop(): Promise<void>
}

export interface Run extends LoadResult {
  kind: Kind
  /** sold + reserved - total after the run, when above 0 */
  oversell: number
  /** units the server's counters hold after the run */
  committed: number
  /** CPU the server's processes spent per answered request, µs (the local Upstash/Neon process apart) */
  serverCpuUs: number
  stackCpuUs: number
}

const base = (port: number) => `http://127.0.0.1:${port}`

async function createProduct(port: number): Promise<number> {
  const res = await fetch(`${base(port)}/api/products`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_TOKEN}` },
    body: JSON.stringify({ name: 'Hot product', total_stock: STOCK }),
  })
  if (res.status !== 201) throw new Error(`creating a product on :${port}: ${res.status} ${await res.text()}`)
  return Number(((await res.json()) as { data: { id: string } }).data.id)
}

async function counters(port: number, id: number): Promise<Counters> {
  const res = await fetch(`${base(port)}/api/products/${id}/status`)
  if (res.status !== 200) throw new Error(`status on :${port}: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { data: Counters }).data
}

/** One autocannon run on a fresh hot product, every request a new user, then its counters. */
export async function loadRun(kind: Kind, server: Served, stackPid: number, connections: number, seconds: number): Promise<Run> {
  const { port } = server.info
  const product = await createProduct(port)
  const tag = `${kind}-${connections}-${Date.now() % 100_000}`
  const cpu0 = [groupCpuSeconds(server.pid), groupCpuSeconds(stackPid)]
  const load = await postLoad({
    url: `${base(port)}/api/reserve`,
    connections,
    seconds,
    body: (n) => ({ user_id: `${tag}-${n}`, product_id: product, quantity: 1 }),
  })
  const perRequest = (pid: number, i: number) => Math.round(((groupCpuSeconds(pid) - cpu0[i]!) * 1e6) / Math.max(1, load.requests))
  const [serverCpuUs, stackCpuUs] = [perRequest(server.pid, 0), perRequest(stackPid, 1)]
  const c = await counters(port, product)
  const committed = c.sold + c.reserved_stock
  return { kind, ...load, committed, oversell: Math.max(0, committed - c.total_stock), serverCpuUs, stackCpuUs }
}

/**
 * The rounds of one server at one connection count as one row: req/s over
 * all of them, p50 and p99 their mean, counts summed, CPU per request weighted.
 */
export function merge(rounds: Run[]): Run {
  const sum = (f: (r: Run) => number) => rounds.reduce((s, r) => s + f(r), 0)
  const mean = (f: (r: Run) => number) => Math.round((sum(f) / rounds.length) * 10) / 10
  const requests = sum((r) => r.requests)
  const seconds = sum((r) => r.seconds)
  return {
    ...rounds[0]!,
    seconds,
    requests,
    rps: Math.round(requests / seconds),
    p50: mean((r) => r.p50),
    p99: mean((r) => r.p99),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    committed: sum((r) => r.committed),
    oversell: sum((r) => r.oversell),
    serverCpuUs: Math.round(sum((r) => r.serverCpuUs * r.requests) / requests),
    stackCpuUs: Math.round(sum((r) => r.stackCpuUs * r.requests) / requests),
  }
}

/** What one Node process gets from fetch() to the local Upstash server: the edge path needs two per reserve. */
export async function fetchCeiling(vars: StoreVars) {
  const init = { method: 'POST', headers: { authorization: `Bearer ${vars.UPSTASH_REDIS_REST_TOKEN}` }, body: '["PING"]' }
  return closedLoop({ concurrency: 50, durationMs: 2000 }, async () => (await fetch(vars.UPSTASH_REDIS_REST_URL, init)).ok)
}

/** The engine alone, no HTTP: the same reserve, 50 in flight over one ioredis connection, from this process. */
export async function engineCeiling(env: BenchEnv, prefix: string, ms: number) {
  const b = benchEngine(env.redisUrl, prefix)
  try {
    const id = 900_000_000 // far from the ids Postgres hands out
    await addProduct(b.engine, id, STOCK)
    return await closedLoop({ concurrency: 50, durationMs: ms }, async (i) => (await b.engine.reserve(`alone-${i}`, id, 1)).ok)
  } finally {
    b.close()
  }
}
