import { fileURLToPath } from 'node:url'
import type { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePgDb } from 'drizzle-orm/node-postgres/migrator'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePgliteDb } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import { openPglite } from './neon/server'
import { join } from 'node:path'
import { DATA_DIR } from './paths'

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url))

/** Applies the committed drizzle/ migrations to an open PGlite. */
export async function migratePglite(db: PGlite): Promise<void> {
  await migratePgliteDb(drizzlePglite({ client: db }), { migrationsFolder })
}

/** Applies the committed drizzle/ migrations to the Postgres at `url`. */
export async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await migratePgDb(drizzlePg({ client }), { migrationsFolder })
  } finally {
    await client.end()
  }
}

// `npm run db:migrate`: DATABASE_URL if set, else the embedded PGlite of `npm run dev`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.DATABASE_URL
  if (url) {
    await migratePostgres(url)
    console.log(`migrated ${new URL(url).host}${new URL(url).pathname}`)
  } else {
    const dir = join(process.env.DEV_DATA_DIR ?? DATA_DIR, 'pglite')
    const db = await openPglite(dir)
    await migratePglite(db)
    await db.close()
    console.log(`migrated embedded PGlite in ${dir}`)
  }
}
