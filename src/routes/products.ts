import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { route } from '../http/route'
import { productStatusView, productView } from '../http/views'
import { productParams } from '../schemas/common'
import {
  createProductBody,
  productResponse,
  productsPageResponse,
  productsQuery,
  productStatusResponse,
  updateProductBody,
} from '../schemas/products'
import { catalogue, createProduct, getProduct, productStatus, updateProduct } from '../services/products'

const list = route({
  operationId: 'listProducts',
  tag: 'Products',
  summary: 'The catalogue',
  description: 'Newest first, `limit` per page; pass `next_cursor` as `cursor` for the next page.',
  access: 'public',
  limit: 'read',
  query: productsQuery,
  success: {
    status: 200,
    description: 'A page of products',
    schema: productsPageResponse,
    links: {
      nextPage: {
        operationId: 'listProducts',
        description: 'The next page, while `next_cursor` is not null',
        parameters: { limit: '$request.query.limit', cursor: '$response.body#/data/next_cursor' },
      },
    },
  },
  errors: [{ code: 'VALIDATION_ERROR', details: [{ field: 'cursor', message: 'is not a cursor this API gave' }] }],
})

const create = route({
  operationId: 'createProduct',
  tag: 'Products',
  summary: 'Create a product',
  access: 'admin',
  limit: 'read',
  body: createProductBody,
  success: { status: 201, description: 'The new product', schema: productResponse, message: 'Product created' },
})

const read = route({
  operationId: 'getProduct',
  tag: 'Products',
  summary: 'Get a product',
  access: 'public',
  limit: 'read',
  cache: 'public',
  params: productParams,
  success: { status: 200, description: 'The product', schema: productResponse },
  errors: ['PRODUCT_NOT_FOUND'],
})

const setStock = route({
  operationId: 'setProductStock',
  tag: 'Products',
  summary: 'Restock or reduce a product, or change its waiting room',
  description:
    'Sets `total_stock`; never below the units already sold or held (409 `STOCK_BELOW_COMMITTED`). Edits of one product run one at a time: a concurrent one waits up to 2 s, then 409 `STOCK_EDIT_IN_FLIGHT`. Sets `waiting_room` (null: none); places already admitted stay admitted, and a new rate counts from now.',
  access: 'admin',
  limit: 'read',
  params: productParams,
  body: updateProductBody,
  success: { status: 200, description: 'The updated product', schema: productResponse, message: 'Product updated' },
  errors: ['PRODUCT_NOT_FOUND', 'STOCK_BELOW_COMMITTED', 'STOCK_EDIT_IN_FLIGHT'],
})

const status = route({
  operationId: 'getProductStatus',
  tag: 'Products',
  summary: 'Live stock counters',
  description:
    'Read from Redis: expired holds are purged first, so `available_stock` is exact at that moment — unless the API serves it from a cache (`PUBLIC_READ_CACHE_SECONDS`), when it may be that many seconds old (`Cache-Control` says so).',
  access: 'public',
  limit: 'read',
  cache: 'public',
  params: productParams,
  success: { status: 200, description: 'The counters', schema: productStatusResponse },
  errors: ['PRODUCT_NOT_FOUND'],
})

export const productRoutes = new Hono<AppEnv>()
  .get('/', list, async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const page = await catalogue(c.get('deps'), limit, cursor)
    return list.ok(c, { products: page.items.map(productView), next_cursor: page.nextCursor })
  })
  .post('/', create, async (c) => {
    const body = c.req.valid('json')
    const product = await createProduct(c.get('deps'), {
      name: body.name,
      description: body.description ?? null,
      totalStock: body.total_stock,
      priceCents: body.price ?? null,
      maxPerUser: body.max_per_user ?? null,
      saleStartsAt: body.sale_starts_at ?? null,
      saleEndsAt: body.sale_ends_at ?? null,
      waitingRoom: body.waiting_room ?? null,
    })
    return create.ok(c, productView(product))
  })
  .get('/:productId', read, async (c) => read.ok(c, productView(await getProduct(c.get('deps'), c.req.valid('param').productId))))
  .patch('/:productId', setStock, async (c) => {
    const { total_stock, waiting_room } = c.req.valid('json')
    const product = await updateProduct(c.get('deps'), c.req.valid('param').productId, { totalStock: total_stock, waitingRoom: waiting_room })
    return setStock.ok(c, productView(product))
  })
  .get('/:productId/status', status, async (c) => status.ok(c, productStatusView(await productStatus(c.get('deps'), c.req.valid('param').productId))))
