import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type { ZodType } from 'zod'
import { AppError } from '../errors/app-error'

/**
 * zod validation of one part of the request; failures become 400
 * VALIDATION_ERROR with one `{field, message}` per problem (an unknown field
 * is named itself, not its parent).
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) =>
  zValidator(target, schema, (result) => {
    if (result.success) return
    const field = (path: PropertyKey[]) => (path.length ? path.map(String).join('.') : target)
    const details = result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ field: field([...issue.path, key]), message: 'is not a known field' }))
        : [{ field: field(issue.path), message: issue.message }],
    )
    throw new AppError(400, 'VALIDATION_ERROR', 'Invalid request', details)
  })
