import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/**
 * Checks a presented secret (token, password) against the expected one in
 * constant time: comparing fixed-length digests, neither its content nor its
 * length leaks through timing. Nothing presented never matches.
 */
export function secretCheck(expected: string): (presented: string | undefined) => boolean {
  const want = digest(expected)
  return (presented) => timingSafeEqual(digest(presented ?? ''), want) && presented !== undefined
}
