import { afterAll, beforeAll, expect, it } from 'vitest'
import { TEST_ADMIN_TOKEN } from '../support/client'
import { startNodeHarness, type NodeHarness } from '../support/node-app'

let h: NodeHarness
let id = ''
beforeAll(async () => {
  h = await startNodeHarness('badin')
  id = (await h.api.call('POST', '/api/products', { name: 'Target', total_stock: 10, price: 5 })).body.data.id
  expect((await h.api.call('POST', '/api/reserve', { user_id: 'holder', product_id: id, quantity: 2 })).status).toBe(201)
})
afterAll(() => h?.close())

type Case = [label: string, method: string, path: string, body: string | undefined, status: number, code: string, headers?: Record<string, string>]

const json = (v: unknown) => JSON.stringify(v)
const reserve = (fields: Record<string, unknown>) => json({ user_id: 'bad-user', product_id: 1, quantity: 1, ...fields })
const checkout = (fields: Record<string, unknown>) => json({ user_id: 'holder', product_id: 1, quantity: 1, total_amount: 5, ...fields })
const V = 'VALIDATION_ERROR'

/** Every row: a bad request, the 4xx it must get and its code. `P` stands for the product's id. */
const cases: Case[] = [
  // wrong types and missing fields
  ['reserve: empty object', 'POST', '/api/reserve', '{}', 400, V],
  ['reserve: no user_id', 'POST', '/api/reserve', json({ product_id: 'P', quantity: 1 }), 400, V],
  ['reserve: no quantity', 'POST', '/api/reserve', json({ user_id: 'u', product_id: 'P' }), 400, V],
  ['reserve: user_id number', 'POST', '/api/reserve', reserve({ user_id: 42 }), 400, V],
  ['reserve: user_id array', 'POST', '/api/reserve', reserve({ user_id: ['a'] }), 400, V],
  ['reserve: product_id boolean', 'POST', '/api/reserve', reserve({ product_id: true }), 400, V],
  ['reserve: product_id object', 'POST', '/api/reserve', reserve({ product_id: { id: 1 } }), 400, V],
  ['reserve: product_id float', 'POST', '/api/reserve', reserve({ product_id: 1.5 }), 400, V],
  ['reserve: product_id negative', 'POST', '/api/reserve', reserve({ product_id: -3 }), 400, V],
  ['reserve: product_id beyond int4', 'POST', '/api/reserve', reserve({ product_id: 2147483648 }), 400, V],
  ['reserve: product_id "01"', 'POST', '/api/reserve', reserve({ product_id: '01' }), 400, V],
  ['reserve: quantity zero', 'POST', '/api/reserve', reserve({ quantity: 0 }), 400, V],
  ['reserve: quantity negative', 'POST', '/api/reserve', reserve({ quantity: -1 }), 400, V],
  ['reserve: quantity float', 'POST', '/api/reserve', reserve({ quantity: 0.5 }), 400, V],
  ['reserve: quantity huge', 'POST', '/api/reserve', reserve({ quantity: 1e12 }), 400, V],
  ['reserve: quantity string', 'POST', '/api/reserve', reserve({ quantity: '3' }), 400, V],
  ['reserve: quantity exponent string', 'POST', '/api/reserve', reserve({ quantity: '1e3' }), 400, V],
  ['reserve: quantity 1e309 (infinity)', 'POST', '/api/reserve', '{"user_id":"u","product_id":1,"quantity":1e309}', 400, V],
  ['reserve: quantity null', 'POST', '/api/reserve', reserve({ quantity: null }), 400, V],
  ['reserve: quantity nested object', 'POST', '/api/reserve', reserve({ quantity: { $gt: 0 } }), 400, V],
  ['reserve: extra field', 'POST', '/api/reserve', reserve({ admin: true }), 400, V],
  ['reserve: body is an array', 'POST', '/api/reserve', '[1,2,3]', 400, V],
  ['reserve: body is a string', 'POST', '/api/reserve', '"hello"', 400, V],
  ['reserve: body is null', 'POST', '/api/reserve', 'null', 400, V],
  // invalid JSON, empty, sizes, content types
  ['reserve: invalid JSON', 'POST', '/api/reserve', '{"user_id": "u",', 400, 'MALFORMED_JSON'],
  ['reserve: empty body', 'POST', '/api/reserve', '', 400, 'MALFORMED_JSON'],
  ['reserve: 17 KB body', 'POST', '/api/reserve', reserve({ pad: 'x'.repeat(17 * 1024) }), 413, 'PAYLOAD_TOO_LARGE'],
  ['reserve: 10 MB body', 'POST', '/api/reserve', reserve({ pad: 'x'.repeat(10 * 1024 * 1024) }), 413, 'PAYLOAD_TOO_LARGE'],
  ['reserve: text/plain', 'POST', '/api/reserve', reserve({}), 415, 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'text/plain' }],
  ['reserve: form encoded', 'POST', '/api/reserve', 'user_id=u&product_id=1&quantity=1', 415, 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['reserve: no content type', 'POST', '/api/reserve', reserve({}), 415, 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': '' }],
  // hostile ids
  ['reserve: user_id *', 'POST', '/api/reserve', reserve({ user_id: '*' }), 400, V],
  ['reserve: user_id with slash and dots', 'POST', '/api/reserve', reserve({ user_id: '../etc/passwd' }), 400, V],
  ['reserve: user_id emoji', 'POST', '/api/reserve', reserve({ user_id: '🛒shopper' }), 400, V],
  ['reserve: user_id unicode letters', 'POST', '/api/reserve', reserve({ user_id: 'jürgen' }), 400, V],
  ['reserve: user_id with braces', 'POST', '/api/reserve', reserve({ user_id: '{fd}:p:1' }), 400, V],
  ['reserve: user_id SQL', 'POST', '/api/reserve', reserve({ user_id: "'; DROP TABLE orders; --" }), 400, V],
  ['reserve: user_id Lua', 'POST', '/api/reserve', reserve({ user_id: "redis.call('FLUSHALL')" }), 400, V],
  ['reserve: user_id 129 chars', 'POST', '/api/reserve', reserve({ user_id: 'u'.repeat(129) }), 400, V],
  ['reserve: user_id empty', 'POST', '/api/reserve', reserve({ user_id: '' }), 400, V],
  ['reserve: user_id with newline', 'POST', '/api/reserve', reserve({ user_id: 'a\nb' }), 400, V],
  // bulk
  ['bulk: 51 items', 'POST', '/api/reserve/bulk', json({ user_id: 'u', items: Array.from({ length: 51 }, (_, i) => ({ product_id: i + 1, quantity: 1 })) }), 400, V],
  ['bulk: duplicate items', 'POST', '/api/reserve/bulk', json({ user_id: 'u', items: [{ product_id: 'P', quantity: 1 }, { product_id: 'P', quantity: 1 }] }), 400, V],
  ['bulk: no items', 'POST', '/api/reserve/bulk', json({ user_id: 'u', items: [] }), 400, V],
  ['bulk: items not an array', 'POST', '/api/reserve/bulk', json({ user_id: 'u', items: { product_id: 1 } }), 400, V],
  ['bulk: item with bad quantity', 'POST', '/api/reserve/bulk', json({ user_id: 'u', items: [{ product_id: 'P', quantity: -2 }] }), 400, V],
  // checkout
  ['checkout: amount negative', 'POST', '/api/checkout', checkout({ total_amount: -5 }), 400, V],
  ['checkout: amount three decimals', 'POST', '/api/checkout', checkout({ total_amount: 5.001 }), 400, V],
  ['checkout: amount as words', 'POST', '/api/checkout', checkout({ total_amount: 'five' }), 400, V],
  ['checkout: amount object', 'POST', '/api/checkout', checkout({ total_amount: { amount: 5 } }), 400, V],
  ['checkout: wrong amount', 'POST', '/api/checkout', checkout({ total_amount: 4.99 }), 422, 'AMOUNT_MISMATCH'],
  ['checkout: more than held', 'POST', '/api/checkout', checkout({ quantity: 3, total_amount: 15 }), 409, 'QUANTITY_EXCEEDS_RESERVATION'],
  ['checkout: idempotency key too long', 'POST', '/api/checkout', checkout({}), 400, V, { 'idempotency-key': 'k'.repeat(256) }],
  ['checkout: idempotency key with spaces', 'POST', '/api/checkout', checkout({}), 400, V, { 'idempotency-key': 'a key' }],
  // products (admin)
  ['product: name too long', 'POST', '/api/products', json({ name: 'n'.repeat(256), total_stock: 1 }), 400, V],
  ['product: stock huge', 'POST', '/api/products', json({ name: 'x', total_stock: 1e10 }), 400, V],
  ['product: stock float', 'POST', '/api/products', json({ name: 'x', total_stock: 2.5 }), 400, V],
  ['product: price negative', 'POST', '/api/products', json({ name: 'x', total_stock: 1, price: -1 }), 400, V],
  ['product: bad date', 'POST', '/api/products', json({ name: 'x', total_stock: 1, sale_starts_at: 'tomorrow' }), 400, V],
  ['product: description too long', 'POST', '/api/products', json({ name: 'x', total_stock: 1, description: 'd'.repeat(2001) }), 400, V],
  ['patch: below committed', 'PATCH', '/api/products/P', json({ total_stock: 1 }), 409, 'STOCK_BELOW_COMMITTED'],
  ['patch: string stock', 'PATCH', '/api/products/P', json({ total_stock: '5' }), 400, V],
  // paths
  ['status: id with star', 'GET', '/api/products/*/status', undefined, 400, V],
  ['status: id with colon', 'GET', '/api/products/1:2/status', undefined, 400, V],
  ['status: id ..', 'GET', '/api/products/../status', undefined, 404, 'NOT_FOUND'],
  ['status: unknown product', 'GET', '/api/products/999999/status', undefined, 404, 'PRODUCT_NOT_FOUND'],
  ['listing: user *', 'GET', '/api/users/*/reservations', undefined, 400, V],
  ['listing: user encoded slash', 'GET', '/api/users/a%2Fb/reservations', undefined, 400, V],
  ['listing: user emoji', 'GET', '/api/users/%F0%9F%9B%92/reservations', undefined, 400, V],
  ['orders: limit 1000', 'GET', '/api/users/holder/orders?limit=1000', undefined, 400, V],
  ['orders: unknown query', 'GET', '/api/users/holder/orders?sort=asc', undefined, 400, V],
  ['cancel: product id word', 'DELETE', '/api/reserve/holder/abc', undefined, 400, V],
  ['cancel: user ?', 'DELETE', '/api/reserve/%3F/P', undefined, 400, V],
  // text Postgres cannot store, money, dates
  ['product: name with U+0000', 'POST', '/api/products', json({ name: 'a\u0000b', total_stock: 1 }), 400, V],
  ['product: description with U+0000', 'POST', '/api/products', json({ name: 'x', total_stock: 1, description: '\u0000' }), 400, V],
  ['product: name with a lone surrogate', 'POST', '/api/products', '{"name":"a\\ud800b","total_stock":1}', 400, V],
  ['product: name blank', 'POST', '/api/products', json({ name: ' \t ', total_stock: 1 }), 400, V],
  ['product: price three decimals', 'POST', '/api/products', json({ name: 'x', total_stock: 1, price: '1.005' }), 400, V],
  ['product: price over the cap', 'POST', '/api/products', json({ name: 'x', total_stock: 1, price: '1000000000.01' }), 400, V],
  ['product: price as exponent', 'POST', '/api/products', json({ name: 'x', total_stock: 1, price: '1e3' }), 400, V],
  ['product: year 0', 'POST', '/api/products', json({ name: 'x', total_stock: 1, sale_starts_at: '0000-01-01T00:00:00Z' }), 400, V],
  ['product: 30 February', 'POST', '/api/products', json({ name: 'x', total_stock: 1, sale_starts_at: '2026-02-30T00:00:00Z' }), 400, V],
  ['product: window ends first', 'POST', '/api/products', json({ name: 'x', total_stock: 1, sale_starts_at: '2026-05-02T00:00:00Z', sale_ends_at: '2026-05-01T00:00:00Z' }), 400, V],
  ['reserve: product_id "2147483648"', 'POST', '/api/reserve', reserve({ product_id: '2147483648' }), 400, V],
  ['listing: user with U+0000', 'GET', '/api/users/a%00b/reservations', undefined, 400, V],
  ['orders: cursor with U+0000', 'GET', '/api/users/holder/orders?cursor=a%00b', undefined, 400, V],
  ['orders: limit 0', 'GET', '/api/users/holder/orders?limit=0', undefined, 400, V],
  ['orders: limit 101', 'GET', '/api/users/holder/orders?limit=101', undefined, 400, V],
  // unknown routes; known routes with a method they do not serve (405 since issue 13)
  ['unknown route', 'GET', '/api/nope', undefined, 404, 'NOT_FOUND'],
  ['unknown method on reserve', 'PUT', '/api/reserve', reserve({}), 405, 'METHOD_NOT_ALLOWED'],
  ['GET on checkout', 'GET', '/api/checkout', undefined, 405, 'METHOD_NOT_ALLOWED'],
  ['DELETE a product', 'DELETE', '/api/products/P', undefined, 405, 'METHOD_NOT_ALLOWED'],
]

it(`${cases.length} bad requests each get their 4xx in the envelope, and change nothing`, { timeout: 60_000 }, async () => {
  expect(cases.length).toBeGreaterThanOrEqual(60)
  const statusOf = async () => (await h.api.call('GET', `/api/products/${id}/status`)).body.data
  const before = await statusOf()
  for (const [label, method, path, body, status, code, headers] of cases) {
    const res = await h.api.raw(path.replace('/P', `/${id}`), {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...headers },
      body: body?.replaceAll('"P"', `"${id}"`).replace('"product_id":1', `"product_id":${id}`),
    })
    expect({ label, status: res.status }).toEqual({ label, status })
    expect(res.body, label).toMatchObject({ success: false, code })
    expect(typeof res.body.error, label).toBe('string')
  }
  expect(await statusOf()).toEqual(before)
})
