import cluster, { type Worker } from 'node:cluster'
import { createLogger } from '../lib/log'
import type { SelfHostConfig } from './deps'
import { checkedSelfHost, type ServerRole } from './server'

// Tells a forked worker whether it is the one that runs the reconciler.
const ROLE_VARIABLE = 'FLASH_DEAL_WORKER_ROLE'
// A worker that dies after start-up is replaced after this pause (not in a tight loop).
const REPLACE_AFTER_MS = 1000

/** This worker's role, read from what the primary gave it. */
export function workerRole(): ServerRole {
  return { reconciler: process.env[ROLE_VARIABLE] === 'reconciler', worker: cluster.worker?.id }
}

/**
 * The primary of WORKERS server processes sharing PORT (node:cluster hands
 * connections to them in turn). It checks the stores once (so a problem is
 * told once, before any fork), then forks; exactly one worker runs the
 * reconciler. A worker that fails to start stops them all (exit 1); one that
 * dies later is replaced, in the same role. SIGTERM/SIGINT are passed on to
 * every worker, which drain and exit; the primary exits once they all have.
 */
export async function runPrimary(config: SelfHostConfig): Promise<void> {
  const log = createLogger(config.LOG_LEVEL)
  await (await checkedSelfHost(config)).close()

  const roles = new Map<Worker, boolean>()
  let started = false
  let stopping = false
  let exitCode = 0

  const fork = (reconciler: boolean) => {
    const worker = cluster.fork({ [ROLE_VARIABLE]: reconciler ? 'reconciler' : 'server' })
    roles.set(worker, reconciler)
  }
  const stopAll = (code: number) => {
    exitCode = Math.max(exitCode, code)
    if (stopping) return
    stopping = true
    for (const worker of roles.keys()) worker.process.kill('SIGTERM')
    if (roles.size === 0) process.exit(exitCode)
  }

  let listening = 0
  cluster.on('listening', () => {
    if (started || ++listening < config.WORKERS) return
    started = true
    log('info', 'workers_started', { workers: config.WORKERS, url: `http://127.0.0.1:${config.PORT}` })
  })
  cluster.on('exit', (worker, code, signal) => {
    const reconciler = roles.get(worker) ?? false
    roles.delete(worker)
    if (stopping) {
      if (code !== 0 && signal !== 'SIGTERM') exitCode = 1
      if (roles.size === 0) {
        log('info', 'stopped', { workers: config.WORKERS })
        process.exit(exitCode)
      }
    } else if (!started) {
      // It has printed why; the others are stopped.
      stopAll(1)
    } else {
      log('error', 'worker_exited', { worker: worker.id, pid: worker.process.pid, code, signal, reconciler })
      setTimeout(() => stopping || fork(reconciler), REPLACE_AFTER_MS)
    }
  })
  for (let i = 0; i < config.WORKERS; i++) fork(i === 0)
  process.on('SIGTERM', () => stopAll(0))
  process.on('SIGINT', () => stopAll(0))
}
