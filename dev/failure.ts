/**
 * How the dev tools report what went wrong: one line that names the variable
 * and the step, never a stack trace.
 */

/** A failed step of `npm run dev` (or another dev command); its message is the whole report. */
export class StepError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StepError'
  }
}

/** Runs one step; any failure becomes a StepError "<what>: <reason>". */
export async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof StepError) throw err
    throw new StepError(`${what}: ${describeFailure(err)}`, { cause: err })
  }
}

/** A readable reason for a failure: connection refused, unknown host, a Postgres refusal … */
export function describeFailure(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeFailure(err.errors[0])
  if (!(err instanceof Error)) return String(err)
  const { code, address, port, hostname } = err as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string }
  const where = address ? `${address}${port ? `:${port}` : ''}` : ''
  if (code === 'ECONNREFUSED') return `connection refused${where ? ` at ${where}` : ''} (nothing is listening there)`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return hostname ? `host ${hostname} not found` : 'host not found'
  if (code === 'ETIMEDOUT') return `no answer${where ? ` from ${where}` : ''} (timed out)`
  if (err.cause instanceof Error && /^fetch failed$/.test(err.message)) return describeFailure(err.cause)
  return err.message || code || err.name
}
