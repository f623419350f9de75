import { AppError } from '../errors/app-error'

/**
 * Page cursors: the position after a page's last item, as opaque base64 text
 * (what the API hands out as `next_cursor` and takes back as `cursor`).
 */
export const encodeCursor = (...parts: string[]) => btoa(parts.join('|')).replace(/=+$/, '')

/** The parts of a cursor this API gave, checked by `valid`; 400 for anything else. */
export function decodeCursor(cursor: string, valid: (parts: string[]) => boolean): string[] {
  let parts: string[] | undefined
  try {
    parts = atob(cursor).split('|')
  } catch {
    parts = undefined
  }
  if (!parts || !valid(parts)) {
    throw new AppError('VALIDATION_ERROR', 'Invalid request', { details: [{ field: 'cursor', message: 'is not a cursor this API gave' }] })
  }
  return parts
}
