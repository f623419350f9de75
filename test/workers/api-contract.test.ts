import { apiContract } from '../support/api-contract'
import { checkoutContract } from '../support/checkout-contract'
import { workerApi } from './worker-api'

// The real Worker module in workerd.
const api = workerApi()

apiContract(() => api)
checkoutContract(() => api)
