import { mkdirSync } from 'node:fs'
import { PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite'
import { asText, BackendClosedError, transactionModes, type SqlBackend, type Statement, type TextResult } from './backend'

/** An embedded Postgres: in memory, or kept on disk in `dataDir` across restarts. */
export async function openPglite(dataDir?: string): Promise<PGlite> {
  if (!dataDir) return PGlite.create()
  mkdirSync(dataDir, { recursive: true }) // PGlite creates only the last folder of the path
  return PGlite.create({ dataDir })
}

const identity = (value: string): string => value

/**
 * PGlite parses results and serialises parameters with per-type handlers.
 * Replacing every registered handler with the identity keeps both sides as
 * Postgres text (types without a handler are passed through as text anyway).
 * Rebuilt per call: the registry grows when the caller refreshes array types.
 */
function textOptions(db: PGlite): QueryOptions {
  return {
    rowMode: 'array',
    parsers: Object.fromEntries(Object.keys(db.parsers).map((type) => [type, identity])),
    serializers: Object.fromEntries(Object.keys(db.serializers).map((type) => [type, identity])),
  }
}

function toTextResult(result: Results<unknown[]>): TextResult {
  return {
    command: result.command ?? '',
    rowCount: result.rowCount ?? null,
    // PGlite only reports name and type; the rest use pg's "unknown" values.
    fields: result.fields.map((field) => ({
      name: field.name,
      dataTypeID: field.dataTypeID,
      tableID: 0,
      columnID: 0,
      dataTypeSize: -1,
      dataTypeModifier: -1,
    })),
    rows: result.rows.map((row) => row.map(asText)),
  }
}

/**
 * Serves one already-open PGlite (one database: the request's database name is
 * ignored). PGlite is single-connection; its own lock makes a transaction()
 * exclusive, so a batch is never interleaved with other queries. The caller
 * opened the PGlite and stays its owner: close() stops serving, it does not
 * close the database.
 */
export function pgliteBackend(db: PGlite): SqlBackend {
  let closed = false
  const open = (): void => {
    if (closed) throw new BackendClosedError()
  }
  const run = async (on: PGlite | Transaction, statement: Statement): Promise<TextResult> =>
    toTextResult(await on.query<unknown[]>(statement.query, statement.params, textOptions(db)))

  return {
    async query(_target, statement) {
      open()
      return run(db, statement)
    },
    async batch(_target, statements, options) {
      open()
      const modes = transactionModes(options)
      // transaction() sends BEGIN, and COMMIT or (on any throw) ROLLBACK.
      return db.transaction(async (tx) => {
        if (modes) await tx.exec(`SET TRANSACTION ${modes}`)
        const results: TextResult[] = []
        for (const statement of statements) results.push(await run(tx, statement))
        return results
      })
    },
    async close() {
      closed = true
    },
  }
}
