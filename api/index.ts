// Vercel Edge entry; vercel.json rewrites every path here. Vercel reads `config`
// from this file's own source, so it cannot be re-exported from src/.
// regions: where the function runs. Every call makes one or two sequential
// store round trips, so it runs next to the databases, not the shopper: iad1
// (Washington, D.C.) is next to Neon's and Upstash's us-east-1; put the region
// of yours (docs/deploy.md, "Latency").
export const config = { runtime: 'edge', regions: ['iad1'] }
export { default } from '../src/entry/vercel'
