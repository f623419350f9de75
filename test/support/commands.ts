import { spawn, type ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { ROOT } from '../../dev/paths'

export interface Running {
  child: ChildProcess
  /** stdout and stderr so far, interleaved */
  output(): string
  /** resolves with the exit code */
  exited: Promise<number | null>
}

/**
 * `npm run <script> [-- args]` in the project root, in a process group of its
 * own (as a terminal gives it), with `env` over the environment; a variable
 * set to undefined is removed.
 */
export function npmRun(script: string, env: Record<string, string | undefined>, args: string[] = []): Running {
  const merged: Record<string, string> = {}
  for (const [name, value] of Object.entries({ ...process.env, ...env })) if (value !== undefined) merged[name] = value
  const child = spawn('npm', ['run', script, ...(args.length ? ['--', ...args] : [])], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: merged,
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/** Runs a script to its end. */
export async function npmRunToEnd(script: string, env: Record<string, string | undefined>, args: string[] = []) {
  const run = npmRun(script, env, args)
  const code = await run.exited
  return { code, output: run.output() }
}

/** Every live descendant of `pid`, read from /proc. */
export async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>()
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (ppid) parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)])
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A pid that no process has (one that just exited). */
export async function deadPid(): Promise<number> {
  const child = spawn('true')
  await new Promise((resolve) => child.once('exit', resolve))
  return child.pid!
}

/** A line of a stack trace, which no dev command may print. */
export const STACK_LINE = /^\s+at .+[(:]\d+/m
