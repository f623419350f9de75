import { type ClientRequestOptions, hc } from 'hono/client'
import type { AppType } from './app'

/**
 * A typed client of the API (hono's RPC client): every path, its parameters,
 * body and answer are the route declarations' own types.
 *
 *   const api = flashDealClient('https://api.shop.example')
 *   const res = await api.api.reserve.$post({ json: { user_id: 'alice', product_id: 1, quantity: 2 } })
 *   if (res.ok) console.log((await res.json()).data.expires_at)
 */
export function flashDealClient(baseUrl: string, options?: ClientRequestOptions) {
  return hc<AppType>(baseUrl, options)
}

export type FlashDealClient = ReturnType<typeof flashDealClient>
export type { AppType }
