import type { ErrorCode } from './codes'

export interface SuccessBody<T> {
  success: true
  data: T
  message?: string
}

export interface ErrorBody {
  success: false
  error: string
  code: ErrorCode
  details?: unknown[]
}

export function ok<T>(data: T, message?: string): SuccessBody<T> {
  return message === undefined ? { success: true, data } : { success: true, data, message }
}

export function failure(code: ErrorCode, error: string, details?: unknown[]): ErrorBody {
  return details === undefined ? { success: false, error, code } : { success: false, error, code, details }
}
