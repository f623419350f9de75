/**
 * One `npm run dev` per data folder, and the .dev.vars that tells
 * `npm run reconcile:dev` which running instance to talk to.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { StepError } from './failure'

/** Whether a process with this pid exists (EPERM: it does, as another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

interface LockOwner {
  pid: number
  /** e.g. "npm run dev on http://127.0.0.1:3000" */
  what: string
}

/**
 * Takes `<dataDir>/dev.lock` for this process (`what` it is), or refuses
 * naming the running process that holds it. A lock left by a process that is
 * gone is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string, what: string): () => void {
  const file = join(dataDir, 'dev.lock')
  const mine: LockOwner = { pid: process.pid, what }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: 'wx', mode: 0o600 })
      return () => {
        if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true })
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = readOwner(file)
    if (owner && pidAlive(owner.pid)) {
      throw new StepError(
        `${dataDir} is in use by ${owner.what} (pid ${owner.pid}). ` +
          `Stop it first (Ctrl-C in its terminal, or kill ${owner.pid}), or use another folder (DEV_DATA_DIR=.data-2).`,
      )
    }
    rmSync(file, { force: true }) // left by a process that is gone
  }
  throw new StepError(`Could not take the lock ${file}: another process is starting on ${dataDir} at the same moment`)
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>
    return typeof owner.pid === 'number' ? { pid: owner.pid, what: String(owner.what) } : undefined
  } catch {
    return undefined
  }
}

const OWNER_LINE = /^# Written by npm run dev \(pid (\d+)\)/m

/** The first comment line of a .dev.vars: which instance wrote it. */
export const devVarsHeader = (url: string, dataDir: string): string[] => [
  `Written by npm run dev (pid ${process.pid}) serving ${url} with its data in ${dataDir}.`,
  'Read by npm run reconcile:dev; removed when that npm run dev stops.',
]

/** The pid of the npm run dev that wrote this .dev.vars text, if it says. */
export function devVarsOwner(text: string): number | undefined {
  const match = OWNER_LINE.exec(text)
  return match ? Number(match[1]) : undefined
}
