import * as z from 'zod'
import { SIGNED_PATTERN } from '../lib/signed'
import { productId, userId } from './common'

/**
 * A signed token the API gave (src/lib/signed.ts). `x-credential`, an
 * extension keyword: a client sends one it was given, never one it makes up.
 */
const signed = (description: string, example: string) =>
  z
    .string()
    .max(444)
    .regex(SIGNED_PATTERN, 'is not a token this API gives')
    .meta({ description, examples: [example], 'x-credential': true })

// Signed with another key than any server's: the form, not a token that works.
const EXAMPLE_TICKET = 'dDF8MXwxNzc3NjM2ODAwMDAwfDQyfGFsaWNl.R5YElJ3bzpbuJo5la0Ahr8VLLhGoseX2VZmjF-F-lMk'
const EXAMPLE_ADMISSION = 'YTF8MXxhbGljZXwxNzc3NjM2OTIwMDAw.rSiK8Ldyeb1lhGZsI9xTCmc-ZhObDh1FX6Hy9ji9woQ'

export const ticket = signed('The ticket `POST /api/products/{productId}/queue` gave', EXAMPLE_TICKET)

/** The admission token a shopper got when their turn came (GET …/queue/{ticket}), for one product. */
export const admissionToken = signed(
  "The admission token the waiting room gave when the shopper's turn came; needed, until it expires, to reserve a product with a waiting room",
  EXAMPLE_ADMISSION,
)

export const joinBody = z
  .object({ user_id: userId })
  .strict()
  .meta({ id: 'JoinQueue', examples: [{ user_id: 'alice' }] })

export const ticketParams = z.object({ productId, ticket })

// Responses (documentation only: what src/http/views.ts makes of what src/services/queue.ts returns).

const position = z.number().int().meta({ description: 'Places in line not admitted yet up to and including this one (1: next); 0 once admitted' })

export const placeResponse = z
  .object({
    ticket: z.string().meta({ description: 'Names the place in line: poll `GET /api/products/{productId}/queue/{ticket}`' }),
    position,
    status: z.enum(['waiting', 'admitted']).meta({
      description: "'waiting' for a new place; a shopper who joins again gets the place they have, as it stands",
    }),
  })
  .meta({ id: 'QueuePlace', examples: [{ ticket: EXAMPLE_TICKET, position: 42, status: 'waiting' }] })

export const lineStatusResponse = z
  .object({
    position,
    status: z.enum(['waiting', 'admitted', 'expired', 'sold_out']).meta({
      description:
        'waiting: not your turn yet; admitted: reserve with `admission_token` before `expires_at`; expired: the turn passed unused (or the line was let go): join again for a new place; sold_out: nothing is available now, and the line stands still until held units lapse (keep polling)',
    }),
    estimated_wait_seconds: z.number().int().meta({ description: 'Seconds until admission at the current rate, while waiting; else 0' }),
    admission_token: z.string().optional().meta({ description: 'Once admitted: send it as X-Admission-Token (or admission_token) to reserve' }),
    expires_at: z.iso.datetime().optional().meta({ description: 'Once admitted: when the turn, and the token, end' }),
  })
  .meta({
    id: 'QueueStatus',
    examples: [
      { position: 0, status: 'admitted', estimated_wait_seconds: 0, admission_token: EXAMPLE_ADMISSION, expires_at: '2026-05-01T12:02:00.000Z' },
    ],
  })
