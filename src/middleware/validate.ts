import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type { ZodType } from 'zod'
import { AppError } from '../errors/app-error'

/**
 * zod validation of one part of the request; failures become 400
 * VALIDATION_ERROR with one `{field, message}` per problem.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) =>
  zValidator(target, schema, (result) => {
    if (result.success) return
    const details = result.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join('.') : target,
      message: issue.message,
    }))
    throw new AppError(400, 'VALIDATION_ERROR', 'Invalid request', details)
  })
