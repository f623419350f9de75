import * as z from 'zod'
import { ERROR_CODES } from '../errors/codes'

// The two envelopes of src/errors/envelope.ts as zod schemas, for the OpenAPI
// document (test/unit/openapi.test.ts keeps the types equal).

export const errorBody = z
  .object({
    success: z.literal(false),
    error: z.string().meta({ description: 'What went wrong, for people' }),
    code: z.enum(ERROR_CODES).meta({ description: 'What went wrong, for programs' }),
    details: z
      .array(z.unknown())
      .optional()
      .meta({ description: 'One object per problem: `{field, message}` for VALIDATION_ERROR, the numbers behind a refusal otherwise' }),
  })
  .meta({ id: 'Error' })

export const successBody = <Data extends z.ZodType>(data: Data) =>
  z.object({ success: z.literal(true), data, message: z.string().optional().meta({ description: 'What was done, for people' }) })
