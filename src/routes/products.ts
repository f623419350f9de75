import { Hono } from 'hono'
import { describeRoute } from 'hono-openapi'
import { ok } from '../errors/envelope'
import { adminOnly } from '../middleware/auth'
import { jsonBody } from '../middleware/json-body'
import { limitPerIp } from '../middleware/rate-limit'
import { JSON_BODY_ERRORS, operation } from '../openapi/operation'
import { success } from '../openapi/responses'
import { validate } from '../openapi/validate'
import { productParams } from '../schemas/common'
import { createProductBody, productResponse, productStatusResponse, updateStockBody } from '../schemas/products'
import { createProduct, getProduct, productStatus } from '../services/products'
import { setTotalStock } from '../services/stock'
import type { AppEnv } from '../types'

const docs = {
  create: operation({
    operationId: 'createProduct',
    tag: 'Products',
    summary: 'Create a product',
    access: 'admin',
    responses: { 201: success('The new product', productResponse, { message: 'Product created' }) },
    errors: JSON_BODY_ERRORS,
  }),
  get: operation({
    operationId: 'getProduct',
    tag: 'Products',
    summary: 'Get a product',
    access: 'public',
    responses: { 200: success('The product', productResponse) },
    errors: { 400: ['VALIDATION_ERROR'], 404: ['PRODUCT_NOT_FOUND'] },
  }),
  setStock: operation({
    operationId: 'setProductStock',
    tag: 'Products',
    summary: 'Restock or reduce a product',
    description:
      'Sets `total_stock`; never below the units already sold or held (409 `STOCK_BELOW_COMMITTED`). Edits of one product run one at a time: a concurrent one waits up to 2 s, then 409 `STOCK_EDIT_IN_FLIGHT`.',
    access: 'admin',
    responses: { 200: success('The updated product', productResponse, { message: 'Stock updated' }) },
    errors: { ...JSON_BODY_ERRORS, 404: ['PRODUCT_NOT_FOUND'], 409: ['STOCK_BELOW_COMMITTED', 'STOCK_EDIT_IN_FLIGHT'] },
  }),
  status: operation({
    operationId: 'getProductStatus',
    tag: 'Products',
    summary: 'Live stock counters',
    description: 'Read from Redis: expired holds are purged first, so `available_stock` is exact at that moment.',
    access: 'public',
    responses: { 200: success('The counters', productStatusResponse) },
    errors: { 400: ['VALIDATION_ERROR'], 404: ['PRODUCT_NOT_FOUND'] },
  }),
}

export const productRoutes = new Hono<AppEnv>()
  .use(limitPerIp)
  .post('/', describeRoute(docs.create), adminOnly, jsonBody, validate('json', createProductBody), async (c) => {
    const product = await createProduct(c.get('deps'), c.req.valid('json'))
    return c.json(ok(product, 'Product created'), 201)
  })
  .get('/:productId', describeRoute(docs.get), validate('param', productParams), async (c) => {
    return c.json(ok(await getProduct(c.get('deps'), c.req.valid('param').productId)))
  })
  .patch('/:productId', describeRoute(docs.setStock), adminOnly, validate('param', productParams), jsonBody, validate('json', updateStockBody), async (c) => {
    const product = await setTotalStock(c.get('deps'), c.req.valid('param').productId, c.req.valid('json').total_stock)
    return c.json(ok(product, 'Stock updated'))
  })
  .get('/:productId/status', describeRoute(docs.status), validate('param', productParams), async (c) => {
    return c.json(ok(await productStatus(c.get('deps'), c.req.valid('param').productId)))
  })
