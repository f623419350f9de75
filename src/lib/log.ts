import type { Config } from '../env'

type Level = Exclude<Config['LOG_LEVEL'], 'silent'>
const rank: Record<Config['LOG_LEVEL'], number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 }

export type Logger = (level: Level, event: string, fields?: Record<string, unknown>) => void

/** One JSON line per event on the console (Workers and Vercel collect it). */
export function createLogger(minLevel: Config['LOG_LEVEL']): Logger {
  return (level, event, fields = {}) => {
    if (rank[level] < rank[minLevel]) return
    const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })
    if (level === 'error') console.error(line)
    else console.log(line)
  }
}
