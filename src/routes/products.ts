import { Hono } from 'hono'
import { ok } from '../errors/envelope'
import { jsonBody } from '../middleware/json-body'
import { validate } from '../middleware/validate'
import { productParams } from '../schemas/common'
import { createProductBody, updateStockBody } from '../schemas/products'
import { createProduct, getProduct, productStatus } from '../services/products'
import { setTotalStock } from '../services/stock'
import type { AppEnv } from '../types'

export const productRoutes = new Hono<AppEnv>()
  .post('/', jsonBody, validate('json', createProductBody), async (c) => {
    const product = await createProduct(c.var.deps, c.req.valid('json'))
    return c.json(ok(product, 'Product created'), 201)
  })
  .get('/:productId', validate('param', productParams), async (c) => {
    return c.json(ok(await getProduct(c.var.deps, c.req.valid('param').productId)))
  })
  .patch('/:productId', validate('param', productParams), jsonBody, validate('json', updateStockBody), async (c) => {
    const product = await setTotalStock(c.var.deps, c.req.valid('param').productId, c.req.valid('json').total_stock)
    return c.json(ok(product, 'Stock updated'))
  })
  .get('/:productId/status', validate('param', productParams), async (c) => {
    return c.json(ok(await productStatus(c.var.deps, c.req.valid('param').productId)))
  })
