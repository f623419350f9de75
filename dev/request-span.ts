import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * When a local store server received a request and when it finished writing
 * the answer (performance.now() ms, the delay included): a caller in the same
 * process counts an API call's sequential store round trips from these.
 */
export interface RequestSpan {
  path: string
  start: number
  end: number
}

export type SpanHook = (span: RequestSpan) => void

/** Reports `req`'s span to `hook` once its answer is written; nothing without a hook. */
export function traceSpan(req: IncomingMessage, res: ServerResponse, hook: SpanHook | undefined): void {
  if (!hook) return
  const start = performance.now()
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  res.once('finish', () => hook({ path, start, end: performance.now() }))
}
