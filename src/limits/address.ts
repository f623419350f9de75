/**
 * The client address a write is counted against, as limits and the per-address
 * hold cap see it: an IPv4 address as it is, an IPv6 address as its /64 (one
 * subscriber's usual allocation: counting single IPv6 addresses would let one
 * host use 2^64 of them), an IPv4-mapped IPv6 address as its IPv4 address, and
 * anything else — no address, or text that is not one — as 'unknown', so a
 * platform header can never make keys of arbitrary text.
 */
export const UNKNOWN_ADDRESS = 'unknown'

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(text: string): number[] | undefined {
  let head = text
  let tail: number[] = []
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    if (!IPV4.test(v4[2]!)) return undefined
    const [a, b, c, d] = v4[2]!.split('.').map(Number) as [number, number, number, number]
    head = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1)
    tail = [(a << 8) | b, (c << 8) | d]
  }
  const halves = head.split('::')
  if (halves.length > 2) return undefined
  const parse = (part: string) => (part === '' ? [] : part.split(':'))
  const groups = halves.map(parse)
  const hex = /^[0-9a-f]{1,4}$/i
  if (groups.some((g) => g.some((x) => !hex.test(x)))) return undefined
  const [left, right = []] = groups.map((g) => g.map((x) => parseInt(x, 16)))
  const missing = 8 - tail.length - left!.length - right.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  return [...left!, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...right, ...tail]
}

export function clientAddress(ip: string | undefined): string {
  const text =
    ip
      ?.trim()
      .replace(/^\[|\]$/g, '')
      .replace(/%.*$/, '') ?? ''
  if (IPV4.test(text)) return text
  const groups = ipv6Groups(text)
  if (!groups) return UNKNOWN_ADDRESS
  // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.')
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`
}
