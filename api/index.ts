// Vercel Edge entry; vercel.json rewrites every path here. Vercel reads `config`
// from this file's own source, so it cannot be re-exported from src/.
export const config = { runtime: 'edge' }
export { default } from '../src/entry/vercel'
