import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { migratePostgres } from '../../dev/migrate'

/** The machine's Postgres; tests never touch any database but their own. */
export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  name: string
  url: string
  drop(): Promise<void>
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** A fresh, migrated (unless told not to) database of its own for one test file or suite. */
export async function createTestDatabase(label = 'test', { migrate = true } = {}): Promise<TestDatabase> {
  const name = `fd_${label}_${randomBytes(5).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE "${name}"`))
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  if (migrate) await migratePostgres(url.toString())
  return {
    name,
    url: url.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  }
}
