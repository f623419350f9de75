import type { Config } from '../env'
import { AppError } from '../errors/app-error'
import { perConfig } from '../lib/per-config'
import { seal, signingKey, unseal } from '../lib/signed'

/**
 * The waiting room's two signed tokens (QUEUE_SECRET, HMAC-SHA-256), checked
 * without a store (docs/architecture.md, "Waiting room"):
 * - a ticket names a place in a product's line: product, line epoch, place
 *   number, user. Polling it reads no per-ticket key.
 * - an admission token lets one user reserve one product until it expires.
 *   It is not single-use: a shopper may reserve again (add to the hold) with
 *   it while their turn lasts; what they may hold is bounded as always
 *   (max_per_user, MAX_HELD_PER_ADDRESS, the stock).
 * Each payload starts with its kind, so one is never taken for the other.
 */

export interface Ticket {
  productId: number
  /** when the line began, ms */
  epoch: number
  seq: number
  userId: string
}

export interface Admission {
  productId: number
  userId: string
  expiresAt: Date
}

const TICKET = 't1'
const ADMISSION = 'a1'
const WHOLE = /^[1-9][0-9]{0,15}$/

const keys = perConfig((config: Config) => (config.QUEUE_SECRET ? signingKey(config.QUEUE_SECRET) : undefined))

/** Throws 500 CONFIGURATION_ERROR when QUEUE_SECRET is not set: no ticket or token can be signed or checked. */
export function requireQueueSecret(config: Config): void {
  keyOf(config)
}

function keyOf(config: Config): Promise<CryptoKey> {
  const key = keys(config)
  if (!key) throw new AppError('CONFIGURATION_ERROR', 'The waiting room needs QUEUE_SECRET (32 or more characters), which is not set')
  return key
}

/** The whole numbers of a payload's fields, or undefined when one is not. */
function wholeNumbers(fields: string[]): number[] | undefined {
  if (!fields.every((f) => WHOLE.test(f))) return undefined
  const numbers = fields.map(Number)
  return numbers.every(Number.isSafeInteger) ? numbers : undefined
}

/** Reads a payload of `kind`: its fields after the kind, or undefined. */
async function open(config: Config, kind: string, token: string, count: number): Promise<string[] | undefined> {
  const payload = await unseal(await keyOf(config), token)
  const fields = payload?.split('|')
  if (!fields || fields.length !== count + 1 || fields[0] !== kind) return undefined
  return fields.slice(1)
}

export async function issueTicket(config: Config, t: Ticket): Promise<string> {
  return seal(await keyOf(config), [TICKET, t.productId, t.epoch, t.seq, t.userId].join('|'))
}

/** The ticket's place, or undefined when it is not a ticket this key signed. */
export async function readTicket(config: Config, token: string): Promise<Ticket | undefined> {
  const fields = await open(config, TICKET, token, 4)
  const numbers = fields && wholeNumbers(fields.slice(0, 3))
  if (!fields || !numbers) return undefined
  const [productId, epoch, seq] = numbers as [number, number, number]
  return { productId, epoch, seq, userId: fields[3]! }
}

export async function issueAdmission(config: Config, a: Admission): Promise<string> {
  return seal(await keyOf(config), [ADMISSION, a.productId, a.userId, a.expiresAt.getTime()].join('|'))
}

const invalid = (why: string) => new AppError('ADMISSION_INVALID', why)

/**
 * The products of `productIds` that a request's admission tokens admit
 * `userId` to. Every token sent must be valid: signed by this server, not
 * expired, for this user and for one of the products; any other is 403
 * ADMISSION_INVALID, with no store call.
 */
export async function admittedProducts(config: Config, userId: string, productIds: number[], tokens: string[]): Promise<Set<number>> {
  const admitted = new Set<number>()
  for (const token of tokens) {
    const fields = await open(config, ADMISSION, token, 3)
    const numbers = fields && wholeNumbers([fields[0]!, fields[2]!])
    if (!fields || !numbers) throw invalid('The admission token is not one this shop gave')
    const [productId, expiresMs] = numbers as [number, number]
    if (expiresMs <= Date.now()) throw invalid('The admission token has expired: join the line again')
    if (fields[1] !== userId) throw invalid('The admission token was given to another user')
    if (!productIds.includes(productId)) throw invalid(`The admission token is for product ${productId}, not this one`)
    admitted.add(productId)
  }
  return admitted
}
