import { bodyLimit } from 'hono/body-limit'
import { createMiddleware } from 'hono/factory'
import { every } from 'hono/combine'
import { AppError } from '../errors/app-error'
import type { AppEnv } from '../http/app-env'

export const MAX_BODY_BYTES = 16 * 1024

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i

/** A body must say it is JSON: anything else is 415, not a confusing validation error. */
const requireJson = createMiddleware<AppEnv>(async (c, next) => {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim()
  if (!JSON_TYPE.test(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with Content-Type: application/json')
  }
  await next()
})

const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${MAX_BODY_BYTES / 1024} KB`)

const streamLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw tooLarge()
  },
})

/**
 * Bodies over 16 KB are refused with 413 before they are read whole. A
 * declared Content-Length is checked from the header alone: touching the body
 * stream (as bodyLimit does) costs a full web Request on @hono/node-server.
 */
const limit = createMiddleware<AppEnv>(async (c, next) => {
  const length = c.req.header('content-length')
  if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamLimit(c, next)
  if (!/^\d+$/.test(length) || Number(length) > MAX_BODY_BYTES) throw tooLarge()
  await next()
})

export const jsonBody = every(limit, requireJson)
