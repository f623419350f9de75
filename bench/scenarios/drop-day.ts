import { Redis } from 'ioredis'
import pg from 'pg'
import type { StoreVars } from '../../dev/local-stack'
import type { UpstashStats } from '../../dev/upstash/server'
import { createKeys } from '../../src/engine'
import { api as apiOf, inLanes, type Api, type Reply } from '../lib/api'
import { startChild } from '../lib/child'
import type { BenchEnv } from '../lib/env'
import { latency } from '../lib/stats'
import { target } from '../lib/target'
import type { Profile, ScenarioResult } from '../lib/types'

/** The shipped defaults the scenario runs under (src/env.ts); the bot's admitted writes follow from them. */
const SHIPPED = { addressWrites: 100, customerWrites: 10, heldPerAddress: 10 }
const PRICE = '10.00'

/** Addresses of the run, from the benchmarking and documentation ranges (RFC 2544, RFC 5737). */
const BOT_ADDRESS = '203.0.113.66'
const customerAddress = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`
/** A fresh address for each read of the bench itself, so its reads never meet the read limiter. */
let observer = 0
const asObserver = () => ({ 'cf-connecting-ip': `192.0.2.${(observer++ % 250) + 1}` }) // recycled only after 250 reads
const from = (ip: string) => ({ 'cf-connecting-ip': ip })

interface Stats {
  reset(): Promise<void>
  commands(): Promise<number>
}

/** The local Upstash server's own counters, over its /__local/ endpoints. */
function upstashStats(vars: StoreVars): Stats {
  const headers = { authorization: `Bearer ${vars.UPSTASH_REDIS_REST_TOKEN}` }
  return {
    async reset() {
      const res = await fetch(`${vars.UPSTASH_REDIS_REST_URL}/__local/stats/reset`, { method: 'POST', headers })
      if (!res.ok) throw new Error(`resetting the local Upstash stats: ${res.status}`)
    },
    async commands() {
      const res = await fetch(`${vars.UPSTASH_REDIS_REST_URL}/__local/stats`, { headers })
      if (!res.ok) throw new Error(`reading the local Upstash stats: ${res.status}`)
      return ((await res.json()) as UpstashStats).commands
    },
  }
}

/** Redis commands one call costs, counted alone (nothing else runs meanwhile). */
async function commandsOf(stats: Stats, call: () => Promise<Reply>, expect: (r: Reply) => boolean, what: string) {
  await stats.reset()
  const reply = await call()
  const commands = await stats.commands()
  if (!expect(reply)) throw new Error(`${what}: unexpected answer ${reply.status} ${JSON.stringify(reply.body)}`)
  return commands
}

const tally = (replies: Reply[]) => {
  const counts: Record<string, number> = {}
  for (const r of replies) {
    const key = `${r.status} ${r.body?.code ?? (r.status < 300 ? 'ok' : '?')}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return Object.entries(counts).sort((a, b) => b[1] - a[1])
}

/**
 * The probes of issue 12's closing note: what an admitted reserve, a refused
 * one (the address's hold cap: 409) and a rate-limited one cost in Redis
 * commands, the first 429 of a client and a retry the isolate remembers.
 * One fresh address walks through them on a product with plenty of stock.
 */
async function reserveCosts(a: Api, stats: Stats, product: number) {
  const ip = '203.0.113.77'
  let n = 0
  const reserve = () => a.call('POST', '/api/reserve', { user_id: `probe-${n++}`, product_id: product, quantity: 1 }, from(ip))
  await a.call('POST', '/api/reserve', { user_id: 'probe-warm', product_id: product, quantity: 1 }, from('203.0.113.78')) // loads the product
  const admitted = await commandsOf(stats, reserve, (r) => r.status === 201, 'admitted reserve')
  for (let i = 1; i < SHIPPED.heldPerAddress; i++) await reserve()
  const refused = await commandsOf(stats, reserve, (r) => r.body?.code === 'ADDRESS_LIMIT_EXCEEDED', 'reserve over the address cap')
  // Fill the address's write window; its next write is its first 429.
  for (let i = SHIPPED.heldPerAddress + 1; i < SHIPPED.addressWrites; i++) await reserve()
  const limited = await commandsOf(stats, reserve, (r) => r.status === 429, 'first reserve over the write window')
  const remembered = await commandsOf(stats, reserve, (r) => r.status === 429, 'retry of a refused client')
  return { admitted, refused, limited, remembered }
}

/**
 * Scenario 7 (issue 12): drop day. The edge app (createApp + edgeDeps over the
 * local Upstash and Neon servers, each in a Node process of its own) with the
 * SHIPPED limits and the client address from cf-connecting-ip; a product of
 * 100 with max_per_user 1 (--full: 1,000). One bot address tries 1,000
 * invented user ids (--full: 10,000), 10 at a time, holding and never buying,
 * while 200 customers (--full: 2,000), each from an address of their own, 20
 * at a time, reserve, check out and try a second reserve. Then the books are
 * read straight from Postgres and Redis, and the Redis commands of one
 * admitted, refused and rate-limited reserve are counted by the local Upstash
 * server.
 */
export async function dropDay(env: BenchEnv, profile: Profile): Promise<ScenarioResult> {
  const db = await env.database('dropday')
  const prefix = env.prefix('dropday')
  const children: { stop(): Promise<void> }[] = []
  const redis = new Redis(env.redisUrl)
  const sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  try {
    const stack = await startChild<StoreVars>('bench/peers/serve.ts', ['stack'], {
      BENCH_PEER: JSON.stringify({ redisUrl: env.redisUrl, databaseUrl: db.url }),
    })
    children.push(stack)
    const app = await startChild<{ port: number }>('bench/peers/serve.ts', ['edge-shipped'], {
      BENCH_PEER: JSON.stringify({ redisUrl: env.redisUrl, prefix, databaseUrl: db.url, vars: stack.info }),
    })
    children.push(app)
    const a = apiOf(`http://127.0.0.1:${app.info.port}`)
    const stats = upstashStats(stack.info)

    const stock = profile.dropStock
    const product = await a.product({ name: 'Drop', total_stock: stock, max_per_user: 1, price: PRICE }, asObserver())
    const bots = Array.from({ length: profile.dropBotIds }, (_, i) => `bot-${i}`)
    const customers = Array.from({ length: profile.dropCustomers }, (_, i) => ({ id: `customer-${i}`, ip: customerAddress(i) }))
    const reserve = (user: string, ip: string) => a.call('POST', '/api/reserve', { user_id: user, product_id: product, quantity: 1 }, from(ip))
    const checkout = (user: string, ip: string) =>
      a.call('POST', '/api/checkout', { user_id: user, product_id: product, quantity: 1, total_amount: PRICE }, from(ip))

    await stats.reset()
    const started = process.hrtime.bigint()
    const customerReserves: Reply[] = []
    const checkouts: Reply[] = []
    const seconds: Reply[] = []
    const [botReplies] = await Promise.all([
      inLanes(10, bots, (u) => reserve(u, BOT_ADDRESS)),
      inLanes(20, customers, async (c) => {
        const held = await reserve(c.id, c.ip)
        customerReserves.push(held)
        if (held.status !== 201) return
        checkouts.push(await checkout(c.id, c.ip))
        seconds.push(await reserve(c.id, c.ip)) // one per customer: refused
      }),
    ])
    const dropMs = Number(process.hrtime.bigint() - started) / 1e6
    const dropCommands = await stats.commands()

    // The books, read from the stores themselves.
    const {
      rows: [row],
    } = await sql.query<{ sold: number }>('SELECT sold FROM products WHERE id = $1', [product])
    const {
      rows: [orders],
    } = await sql.query<{ units: number; most: number }>(
      `SELECT coalesce(sum(per_user), 0)::int AS units, coalesce(max(per_user), 0)::int AS most
       FROM (SELECT user_id, sum(quantity) AS per_user FROM orders WHERE product_id = $1 GROUP BY user_id) AS u`,
      [product],
    )
    const {
      rows: [botOrders],
    } = await sql.query<{ units: number }>(
      "SELECT coalesce(sum(quantity), 0)::int AS units FROM orders WHERE product_id = $1 AND user_id LIKE 'bot-%'",
      [product],
    )
    const [redisSold, redisReserved] = await redis.hmget(createKeys(prefix).product(product).product, 'sold', 'reserved')
    const status = await a.call('GET', `/api/products/${product}/status`, undefined, asObserver())
    const botHeld = botReplies.filter((r) => r.status === 201).length
    const toCustomers = orders!.units - botOrders!.units
    const books = { ordersUnits: orders!.units, postgresSold: row!.sold, redisSold: Number(redisSold), redisReserved: Number(redisReserved) }
    const mismatch = Math.abs(books.ordersUnits - books.postgresSold) + Math.abs(books.postgresSold - books.redisSold)
    const all = [...botReplies, ...customerReserves, ...checkouts, ...seconds]
    const serverErrors = all.filter((r) => r.status >= 500).length
    const secondsAdmitted = seconds.filter((r) => r.status === 201).length

    const probeProduct = await a.product({ name: 'Probe', total_stock: 1000, price: PRICE }, asObserver())
    const costs = await reserveCosts(a, stats, probeProduct)

    const lat = {
      reserve: latency(customerReserves.map((r) => r.ms)),
      checkout: latency(checkouts.map((r) => r.ms)),
      bot: latency(botReplies.map((r) => r.ms)),
    }
    const stockGoal = Math.ceil(stock * 0.9)
    return {
      id: 'dropday',
      title: `Drop day: ${stock} units (max_per_user 1), one bot address with ${bots.length} user ids, ${customers.length} customers from ${customers.length} addresses, shipped limits`,
      tables: [
        {
          title: 'who got the units (orders and holds read from Postgres and Redis after the drop)',
          columns: [
            'units',
            'bought by customers',
            'most bought by one customer',
            'held by the bot',
            'bought by the bot',
            'second reserves admitted',
            'drop took ms',
          ],
          rows: [[stock, toCustomers, orders!.most, botHeld, botOrders!.units, secondsAdmitted, Math.round(dropMs)]],
        },
        {
          title: "the bot's answers (status and code)",
          columns: ['answer', 'count'],
          rows: tally(botReplies),
        },
        {
          title: "the customers' answers (first reserve, checkout, second reserve)",
          columns: ['answer', 'first reserve', 'checkout', 'second reserve'],
          rows: [...new Set([...customerReserves, ...checkouts, ...seconds].map((r) => `${r.status} ${r.body?.code ?? 'ok'}`))].map((k) => [
            k,
            ...[customerReserves, checkouts, seconds].map((list) => list.filter((r) => `${r.status} ${r.body?.code ?? 'ok'}` === k).length),
          ]),
        },
        {
          title: 'latency seen by the clients, ms (loopback HTTP, all clients at once)',
          columns: ['call', 'n', 'p50', 'p99', 'max'],
          rows: [
            ["customers' reserve", lat.reserve.n, lat.reserve.p50, lat.reserve.p99, lat.reserve.max],
            ["customers' checkout", lat.checkout.n, lat.checkout.p50, lat.checkout.p99, lat.checkout.max],
            ["the bot's reserves", lat.bot.n, lat.bot.p50, lat.bot.p99, lat.bot.max],
          ],
        },
        {
          title: 'conservation: units sold by each book',
          columns: ['Σ orders (Postgres)', 'products.sold (Postgres)', 'sold (Redis)', 'reserved (Redis)', 'status: sold / reserved'],
          rows: [
            [
              books.ordersUnits,
              books.postgresSold,
              books.redisSold,
              books.redisReserved,
              `${status.body?.data?.sold} / ${status.body?.data?.reserved_stock}`,
            ],
          ],
        },
        {
          title: 'Redis commands per reserve, counted alone by the local Upstash server',
          columns: [
            'admitted (201)',
            'refused, address cap (409)',
            'first refusal of the write window (429)',
            'a remembered client retries (429)',
            'all of the drop: commands / requests',
          ],
          rows: [[costs.admitted, costs.refused, costs.limited, costs.remembered, `${dropCommands} / ${all.length}`]],
        },
      ],
      targets: [
        target('dropday.bot-held', 'drop day: units held by the bot address', botHeld, '<=', SHIPPED.heldPerAddress),
        target('dropday.most-bought', 'drop day: most units bought by one customer', orders!.most, '<=', 1),
        target('dropday.to-customers', `drop day: units sold to customers (of ${stock})`, toCustomers, '>=', stockGoal),
        target('dropday.conservation', 'drop day: |Σ orders − Postgres sold| + |Postgres sold − Redis sold|', mismatch, '==', 0),
        target('dropday.errors', 'drop day: 5xx answers', serverErrors, '==', 0),
        target('dropday.cmd-admitted', 'reserve admitted: Redis commands', costs.admitted, '==', 1),
        target('dropday.cmd-refused', 'reserve refused (409 or first 429): most Redis commands', Math.max(costs.refused, costs.limited), '==', 1),
        target('dropday.cmd-remembered', 'reserve refused, remembered: Redis commands', costs.remembered, '==', 0),
      ],
      data: {
        stock,
        bots: bots.length,
        customers: customers.length,
        botHeld,
        toCustomers,
        books,
        latency: lat,
        costs,
        dropCommands,
        requests: all.length,
        botAnswers: tally(botReplies),
        dropMs,
      },
    }
  } finally {
    for (const child of children.reverse()) await child.stop()
    redis.disconnect()
    await sql.end()
  }
}
