import type { ValidationTargets } from 'hono'
import { uniqueSymbol } from 'hono-openapi'
import type { ZodType } from 'zod'
import { validate as check } from '../middleware/validate'
import { requestSchema } from './schema'

/**
 * The app's validator (src/middleware/validate.ts: same checks, same 400
 * VALIDATION_ERROR), marked so that hono-openapi documents its schema as the
 * operation's parameters or request body.
 */
export const documented = <Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) =>
  Object.assign(check(target, schema), { [uniqueSymbol]: { target, ...requestSchema(schema) } })
