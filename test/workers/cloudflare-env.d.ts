// Types for the workerd suite: the Worker's bindings are its string variables,
// and the main module is src/entry/worker.ts.
declare namespace Cloudflare {
  interface Env extends Record<string, unknown> {}
  interface GlobalProps {
    mainModule: typeof import('../../src/entry/worker')
  }
}
