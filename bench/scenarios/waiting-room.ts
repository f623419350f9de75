import { startLocalStack } from '../../dev/local-stack'
import { createApp } from '../../src/app'
import { edgeDeps } from '../../src/deps'
import { createKeys, type Place } from '../../src/engine'
import { queueJoinScript } from '../../src/engine/scripts'
import { issueTicket } from '../../src/services/admission'
import { benchEngine, buildHolds, keyBytes, pipelinedScripts, usedMemory, withRedisCost } from '../lib/engine'
import type { BenchEnv } from '../lib/env'
import { alternate, type Latency, msSince, ratio, round } from '../lib/stats'
import { explain, target } from '../lib/target'
import type { Profile, ScenarioResult } from '../lib/types'
import { BENCH_ADMIN_TOKEN, benchConfig } from '../peers/flash-deal'

const QUEUE_SECRET = 'bench-queue-secret-0123456789-abcdefgh'
/** Reserves timed the same way as the joins, for a reference of what one script costs Redis. */
const REFERENCE_RESERVES = 100_000
const ROOM = { admit_per_second: 1, admission_ttl_seconds: 120 }

/** Shopper i's own address, 10.x.y.z: each place also costs its address's count (the worst case). */
const addressOf = (i: number) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`
const userOf = (i: number) => `q-${i}`

/**
 * Scenario 11 (issue 17): a waiting room of N shoppers (quick 100,000,
 * --full 1,000,000) on one product. Joins are the engine's own queue-join
 * script, pipelined (1,000 to a pipeline, two in flight), each shopper with
 * an address of their own, the per-address cap on and the write windows off;
 * against 100,000 reserves made the same way, for what a script costs Redis.
 * Memory: MEMORY USAGE of the line's two keys ÷ N (and INFO's used_memory
 * before and after ÷ N). Polls, one at a time, the N-shopper line and a
 * one-shopper line in turns: through the engine (ioredis), and through the
 * edge app in-process (ticket checked with HMAC, one EVALSHA over the local
 * Upstash REST server).
 */
export async function waitingRoom(env: BenchEnv, profile: Profile): Promise<ScenarioResult> {
  const n = profile.queueShoppers
  const db = await env.database('queue')
  const stack = await startLocalStack({ redisUrl: env.redisUrl, database: { kind: 'postgres', url: db.url }, migrate: false })
  const prefix = env.prefix('queue')
  const b = benchEngine(env.redisUrl, prefix)
  try {
    const config = benchConfig(stack.vars, prefix, { QUEUE_SECRET })
    const app = createApp(() => edgeDeps(config))
    const create = async (body: Record<string, unknown>) => {
      const res = await app.request('/api/products', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      })
      if (res.status !== 201) throw new Error(`creating a product: ${res.status} ${await res.text()}`)
      return Number(((await res.json()) as { data: { id: string } }).data.id)
    }
    const loaded = await create({ name: `A line of ${n}`, total_stock: 1000, waiting_room: ROOM })
    const single = await create({ name: 'A line of one', total_stock: 1000, waiting_room: ROOM })
    const plain = await create({ name: 'Reference', total_stock: 1_000_000_000 })
    // Scripts cached; the one-shopper line has its shopper.
    const alone = await b.engine.join('alone', single)
    if (!alone.ok) throw new Error(`joining: ${alone.reason}`)
    await b.engine.reserve('warm', plain, 1)

    const keys = createKeys(prefix)
    const line = keys.line(loaded)
    const before = await usedMemory(b.redis)
    const t0 = process.hrtime.bigint()
    const joins = await withRedisCost(b.redis, () =>
      pipelinedScripts(
        b.redis,
        queueJoinScript.sha,
        n,
        (i) => ({
          keys: [...keys.productArgs(loaded), line.line, line.places, keys.unused, keys.unused],
          args: [userOf(i), addressOf(i), '10', '', '', '', ''],
        }),
        (reply) => Array.isArray(reply) && reply[3] === 'OK',
      ),
    )
    const joinSeconds = msSince(t0) / 1000
    const after = await usedMemory(b.redis)
    const [placeBytes, addressBytes] = [await keyBytes(b.redis, line.line), await keyBytes(b.redis, line.places)]
    const memory = {
      info: Math.round((after - before) / n),
      usage: round((placeBytes + addressBytes) / n),
      place: round(placeBytes / n),
      address: round(addressBytes / n),
    }

    const r0 = process.hrtime.bigint()
    const reserves = await withRedisCost(b.redis, () => buildHolds(b, plain, REFERENCE_RESERVES, { users: 'r', holdMs: 3_600_000 }))
    const reserveSeconds = msSince(r0) / 1000

    // Polls of random places (nearly all waiting: the line lets one in a second).
    const epoch = Number(await b.redis.hget(line.line, '#epoch'))
    const seqOf = (i: number) => 1 + ((i * 7919) % n)
    const pollEngine = (id: number, place: (i: number) => Place) => async (i: number) => {
      const t = process.hrtime.bigint()
      const r = await b.engine.poll(id, place(i))
      const ms = msSince(t)
      if (!r.ok || r.status === 'gone') throw new Error(`poll: ${JSON.stringify(r)}`)
      return ms
    }
    const [engineOne, engineN] = await alternate(
      profile.latencySamples,
      pollEngine(single, () => alone),
      pollEngine(loaded, (i) => ({ epoch, seq: seqOf(i) })),
    )
    const ticketOne = await issueTicket(config, { productId: single, epoch: alone.epoch, seq: alone.seq, userId: 'alone' })
    const pollApp = (id: number, ticket: (i: number) => Promise<string>) => async (i: number) => {
      const path = `/api/products/${id}/queue/${await ticket(i)}`
      const t = process.hrtime.bigint()
      const res = await app.request(path)
      await res.arrayBuffer()
      const ms = msSince(t)
      if (res.status !== 200) throw new Error(`poll through the app: ${res.status}`)
      return ms
    }
    const appSamples = Math.min(profile.latencySamples, 2000)
    const [appOne, appN] = await alternate(
      appSamples,
      pollApp(single, async () => ticketOne),
      pollApp(loaded, (i) => issueTicket(config, { productId: loaded, epoch, seq: seqOf(i), userId: userOf(seqOf(i) - 1) })),
    )

    const joinRate = Math.round(n / joinSeconds)
    const reserveRate = Math.round(REFERENCE_RESERVES / reserveSeconds)
    const row = (name: string, l: Latency) => [name, l.n, l.p50, l.p99, l.max]
    const count = n.toLocaleString('en-US')
    return {
      id: 'queue',
      title: `Waiting room: ${count} shoppers in one product's line`,
      tables: [
        {
          title: 'joins (engine, pipelined) against reserves made the same way',
          columns: ['script', 'calls', 'seconds', 'calls/s', 'Redis µs per call', 'Redis core busy'],
          rows: [
            ['queue-join', n, round(joinSeconds), joinRate, joins.redis.usPerScript, joins.redis.cpuBusy],
            ['reserve (reference)', REFERENCE_RESERVES, round(reserveSeconds), reserveRate, reserves.redis.usPerScript, reserves.redis.cpuBusy],
          ],
        },
        {
          title: 'memory per queued shopper (each from an address of their own)',
          columns: ['measure', 'bytes/shopper'],
          rows: [
            ['MEMORY USAGE of the line and its places per address, ÷ N', memory.usage],
            ['  of which the place (user → number)', memory.place],
            ['  of which the address (address → places)', memory.address],
            ['INFO used_memory after - before, ÷ N', memory.info],
          ],
        },
        {
          title: 'poll latency, ms (one at a time)',
          columns: ['poll', 'samples', 'p50', 'p99', 'max'],
          rows: [
            row('engine, a line of 1', engineOne),
            row(`engine, a line of ${count}`, engineN),
            row('edge app in-process, a line of 1', appOne),
            row(`edge app in-process, a line of ${count}`, appN),
          ],
        },
      ],
      targets: [
        explain(
          target('queue.memory', 'Redis bytes per queued shopper (MEMORY USAGE)', memory.usage, '<=', 120, ' B'),
          `a place is one hash field (${memory.place} B: the user id, its number, the dict entry and its share of the table) and its address's count another (${memory.address} B)`,
        ),
        explain(
          target('queue.poll', `poll p99: a line of ${count} ÷ a line of 1`, ratio(engineN.p99, engineOne.p99), '<=', 1.5),
          'a poll reads the line by its ticket (no per-place key, nothing O(N)); a miss here is the noise of the shared machine',
        ),
        explain(
          target('queue.join', 'Redis time per join ÷ per reserve', ratio(joins.redis.usPerScript, reserves.redis.usPerScript), '<=', 1),
          'joining reads the product, the line and the address, and writes the place, its count and the keys’ expiry: about what a reserve does',
        ),
      ],
      data: {
        shoppers: n,
        joinSeconds,
        joinRate,
        reserveRate,
        joins: joins.redis,
        reserves: reserves.redis,
        memory,
        engineOne,
        engineN,
        appOne,
        appN,
      },
    }
  } finally {
    b.close()
    await stack.close()
    await env.drop(prefix)
  }
}
