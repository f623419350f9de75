import { asInt } from './replies'
import type { ReserveRefusal } from './types'

/**
 * A refusal shared by reserve, bulk and joining a waiting room, read from
 * `fields` (what follows the tag, and the item number for bulk). Undefined
 * for an unknown tag.
 */
export function refusal(script: string, tag: string, fields: unknown[]): ReserveRefusal | undefined {
  switch (tag) {
    case 'SALE_NOT_ACTIVE':
      return { ok: false, reason: 'SALE_NOT_ACTIVE' }
    case 'ADMISSION_REQUIRED':
      return { ok: false, reason: 'ADMISSION_REQUIRED' }
    case 'INSUFFICIENT_STOCK':
      return { ok: false, reason: 'INSUFFICIENT_STOCK', available: asInt(script, fields[0]) }
    case 'LIMIT_EXCEEDED':
      return {
        ok: false,
        reason: 'LIMIT_EXCEEDED',
        maxPerUser: asInt(script, fields[0]),
        held: asInt(script, fields[1]),
        bought: asInt(script, fields[2]),
      }
    case 'ADDRESS_LIMIT_EXCEEDED':
      return {
        ok: false,
        reason: 'ADDRESS_LIMIT_EXCEEDED',
        maxHeldPerAddress: asInt(script, fields[0]),
        heldByAddress: asInt(script, fields[1]),
      }
    default:
      return undefined
  }
}
