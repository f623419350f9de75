import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePgDb } from 'drizzle-orm/node-postgres/migrator'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePgliteDb } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import { ConfigError } from '../src/env'
import { redactUrl } from '../src/lib/redact-url'
import { describeFailure, step, StepError } from './failure'
import { lockDataDir } from './instance'
import { openPglite } from './neon/server'
import { parseDevOptions } from './options'

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url))

/** Applies the committed drizzle/ migrations to an open PGlite. */
export async function migratePglite(db: PGlite): Promise<void> {
  await migratePgliteDb(drizzlePglite({ client: db }), { migrationsFolder })
}

/** Applies the committed drizzle/ migrations to the Postgres at `url`. */
export async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  await client.connect()
  try {
    await migratePgDb(drizzlePg({ client }), { migrationsFolder })
  } finally {
    await client.end()
  }
}

// `npm run db:migrate`: DATABASE_URL if set, else the embedded PGlite of `npm run dev`
// (which must not be running: PGlite allows one process at a time).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const url = process.env.DATABASE_URL || undefined
    if (url) {
      const where = `DATABASE_URL (${redactUrl(url)})`
      await step(`${where}: applying the migrations`, () => migratePostgres(url))
      console.log(`migrated ${where}`)
    } else {
      const { dataDir } = parseDevOptions(process.env)
      mkdirSync(dataDir, { recursive: true })
      const release = lockDataDir(dataDir, 'npm run db:migrate')
      try {
        const dir = join(dataDir, 'pglite')
        await step(`Migrating the embedded PGlite in ${dir}`, async () => {
          const db = await openPglite(dir)
          try {
            await migratePglite(db)
          } finally {
            await db.close()
          }
        })
        console.log(`migrated the embedded PGlite in ${dir}`)
      } finally {
        release()
      }
    }
  } catch (err) {
    console.error(`npm run db:migrate: ${err instanceof StepError || err instanceof ConfigError ? err.message : describeFailure(err)}`)
    process.exitCode = 1
  }
}
