import type { Hono } from 'hono'

/** The order methods are listed in an `Allow` header. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/** A route path as hono writes it (`/api/products/:productId`, `/x/*`) → a regex of the request paths it serves. */
function pathRegex(path: string): RegExp {
  const segments = path.split('/').map((segment) => {
    if (segment === '*') return '.*'
    const param = /^:\w+(?:\{(.+)\})?\??$/.exec(segment)
    if (param) return param[1] ? `(?:${param[1]})` : '[^/]+'
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  })
  return new RegExp(`^${segments.join('/')}$`)
}

/**
 * The methods `app` serves on a request path (HEAD wherever GET is, as hono
 * answers it), from its routes once they are all added; [] for a path no
 * route serves. Middleware (`use`, method ALL) serves nothing by itself.
 */
export function allowedMethods(app: Hono<any, any, any>): (path: string) => string[] {
  let routes: { regex: RegExp; method: string }[] | undefined
  return (path) => {
    routes ??= app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ regex: pathRegex(r.path), method: r.method }))
    const served = new Set(routes.filter((r) => r.regex.test(path)).map((r) => r.method))
    if (served.has('GET')) served.add('HEAD')
    return METHODS.filter((method) => served.has(method))
  }
}
