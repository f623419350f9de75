import cluster from 'node:cluster'
import { ConfigError } from '../env'
import { workerRole, runPrimary } from '../self-host/cluster'
import { parseSelfHostConfig, type SelfHostConfig } from '../self-host/deps'
import { runServer } from '../self-host/server'

/**
 * Self-hosted server (`npm start` runs its build, dist/node.js): the same app
 * on Node, with Redis over TCP (ioredis, REDIS_URL) for the engine and the
 * rate limiter, and Postgres over node-postgres — or Neon's HTTP driver for a
 * Neon endpoint. It checks both stores before it listens, runs the reconciler
 * every minute in-process, and with WORKERS=N runs N processes on one port.
 * See docs/deploy.md, "Node (self-hosted)".
 */

function readConfig(): SelfHostConfig {
  try {
    return parseSelfHostConfig(process.env)
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err))
    process.exit(1)
  }
}

const config = readConfig()
if (cluster.isWorker) await runServer(config, workerRole())
else if (config.WORKERS > 1) await runPrimary(config)
else await runServer(config, { reconciler: true })
