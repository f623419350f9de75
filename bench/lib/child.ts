import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { stopGroup as stopProcessGroup } from '../../dev/process-group'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Process groups started and not yet stopped, so an aborted run leaves none behind. */
const running = new Set<number>()

/** Stops a process group this run started and waits until it is gone. */
export async function stopGroup(pgid: number): Promise<void> {
  running.delete(pgid)
  await stopProcessGroup(pgid)
}

export const stopAllChildren = () => Promise.all([...running].map(stopGroup)).then(() => {})

/** Spawns a command in a process group of its own (it and whatever it starts stop together). */
export function spawnGroup(command: string, args: string[], opts: { env?: Record<string, string>; stdio?: StdioOptions } = {}): ChildProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: opts.stdio ?? ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...opts.env },
  })
  if (child.pid) running.add(child.pid)
  return child
}

export interface Child<T> {
  /** what the child printed after READY */
  info: T
  pid: number
  stop(): Promise<void>
}

/**
 * Runs a TypeScript module of bench/ in its own Node process, so the server
 * under load never shares an event loop with the load generator. The module
 * prints `READY <json>` once it serves.
 */
export async function startChild<T>(
  module: string,
  args: string[],
  env: Record<string, string> = {},
  opts: { timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<Child<T>> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  const child = spawnGroup(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', module, ...args], { env })
  const info = await readyLine<T>(child, `${module} ${args.join(' ')}`, timeoutMs)
  return { info, pid: child.pid!, stop: () => stopGroup(child.pid!) }
}

function readyLine<T>(child: ChildProcess, name: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const fail = (why: string) => {
      clearTimeout(timer)
      if (child.pid) void stopGroup(child.pid)
      reject(new Error(`${name}: ${why}`))
    }
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs)
    child.once('exit', (code) => fail(`exited (${code}) before it was ready`))
    lines.on('line', (line) => {
      if (!line.startsWith('READY ')) return void process.stdout.write(`[${name}] ${line}\n`)
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve(JSON.parse(line.slice(6)) as T)
    })
  })
}

const TICKS_PER_SECOND = 100 // USER_HZ; Linux reports utime and stime in these

/** A process's /proc stat fields after its name (field 3 onwards), or undefined when it is gone. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

const cpuOf = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND // utime, stime (fields 14 and 15)

/** CPU seconds of every live process of the group `pgid` (a node:cluster primary and its workers, npx and workerd …). */
export function groupCpuSeconds(pgid: number): number {
  let total = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const fields = statFields(entry)
    if (fields && Number(fields[2]) === pgid) total += cpuOf(fields) // field 5: the process group
  }
  return total
}
