// The small pieces everything leans on, without any store: client addresses,
// the status of each error code, remembered refusals, per-configuration values.
import { describe, expect, it } from 'vitest'
import { RefusalMemory } from '../../src/engine/refusal-memory'
import { ERROR_CODES } from '../../src/errors/codes'
import { STATUS, statusesOf, statusOf } from '../../src/errors/status'
import { clientAddress } from '../../src/limits/address'
import { perConfig } from '../../src/lib/per-config'

describe('client addresses (what limits and the hold cap count)', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::ffff', '2001:db8:1:2::/64'],
    ['[2001:db8::1]', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:198.51.100.4', '198.51.100.4'],
    ['999.1.1.1', 'unknown'],
    ['1:2:3:4:5:6:7:8:9', 'unknown'],
    ['2001:db8::1::2', 'unknown'],
    ['not an address', 'unknown'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ])('%s → %s', (ip, expected) => {
    expect(clientAddress(ip)).toBe(expected)
  })
})

describe('the status of each error code', () => {
  it('is said once for every code, and a code with cases needs its case', () => {
    expect(Object.keys(STATUS).sort()).toEqual([...ERROR_CODES].sort())
    expect(statusOf('INSUFFICIENT_STOCK')).toBe(409)
    expect(statusOf('NO_RESERVATION', 'cancel')).toBe(404)
    expect(statusOf('NO_RESERVATION', 'checkout')).toBe(409)
    expect(() => statusOf('NO_RESERVATION')).toThrow(/needs its case/)
    expect(statusesOf('NO_RESERVATION').sort()).toEqual([404, 409])
    for (const code of ERROR_CODES) for (const status of statusesOf(code)) expect(status >= 400 && status < 600, code).toBe(true)
  })
})

describe('remembered refusals', () => {
  it('answer until the window reopens, then forget; the oldest go first when full', () => {
    const memory = new RefusalMemory(2)
    memory.block('a', 1_000)
    expect(memory.blockedUntil('a', 999)).toBe(1_000)
    expect(memory.blockedUntil('a', 1_000)).toBeUndefined()
    memory.block('b', 5_000)
    memory.block('c', 5_000)
    memory.block('d', 5_000)
    expect(memory.blockedUntil('b', 0)).toBeUndefined()
    expect([memory.blockedUntil('c', 0), memory.blockedUntil('d', 0)]).toEqual([5_000, 5_000])
  })
})

describe('values per configuration object', () => {
  it('are made once per object and never shared between objects', () => {
    let made = 0
    const value = perConfig((_: object) => ({ n: ++made }))
    const [a, b] = [{}, {}]
    expect(value(a)).toBe(value(a))
    expect(value(b)).not.toBe(value(a))
    expect(made).toBe(2)
  })
})
