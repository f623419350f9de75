import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The Worker's local variables, written by `npm run dev` (git-ignored). */
export const DEV_VARS = fileURLToPath(new URL('../.dev.vars', import.meta.url))
