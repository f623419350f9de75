import { resolver } from 'hono-openapi'
import { globalRegistry, type ZodType } from 'zod'

type JsonSchema = Record<string, unknown>

/** zod's bounds for `.int()`: noise in a document. */
const SAFE_INT = Number.MAX_SAFE_INTEGER

/**
 * zod → OpenAPI 3.1 schema options. `unrepresentable: 'any'` keeps transforms
 * from throwing (a request schema documents their input side); the override
 * tidies what zod emits.
 */
const options = (io: 'input' | 'output') => ({
  options: {
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }: { zodSchema: ZodType; jsonSchema: JsonSchema }) => {
      // zod drops `examples` of transforming schemas in input mode; ours are inputs.
      if (io === 'input' && !jsonSchema.examples && !jsonSchema.$ref) {
        const examples = globalRegistry.get(zodSchema)?.examples
        if (examples) jsonSchema.examples = examples
      }
      // Answers may gain fields; only requests are closed.
      if (io === 'output' && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties
      // zod's own date-time and uuid checks: the format says it all, their regexes are long.
      const zodFormat = (zodSchema._zod.def as { format?: string }).format
      if (zodFormat === 'datetime' || zodFormat === 'uuid') delete jsonSchema.pattern
      if (jsonSchema.minimum === -SAFE_INT) delete jsonSchema.minimum
      if (jsonSchema.maximum === SAFE_INT) delete jsonSchema.maximum
    },
  },
})

/** A request schema as clients must send it (before transforms). */
export const requestSchema = (schema: ZodType) => resolver(schema, options('input'))

/** A response schema as the API sends it. */
export const responseSchema = (schema: ZodType) => resolver(schema, options('output'))
