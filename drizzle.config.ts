import { defineConfig } from 'drizzle-kit'

// `npm run db:generate` writes SQL migrations into drizzle/ from the schema;
// they are committed and applied by `npm run db:migrate` (dev/migrate.ts).
// drizzle-kit's own database commands (migrate, studio, push, pull) use DATABASE_URL.
const DATABASE_COMMANDS = ['migrate', 'studio', 'push', 'pull', 'introspect']

const url = process.env.DATABASE_URL || undefined
const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'))
if (command && DATABASE_COMMANDS.includes(command)) {
  const problem = !url ? 'is not set' : /^postgres(ql)?:\/\//.test(url) ? undefined : 'must be a postgres:// or postgresql:// URL'
  if (problem) {
    console.error(
      `drizzle-kit ${command} needs DATABASE_URL, which ${problem}: e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/flashdeal npx drizzle-kit ${command}. ` +
        '(The embedded PGlite of npm run dev is migrated with `npm run db:migrate`.)',
    )
    process.exit(1)
  }
}

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  ...(url ? { dbCredentials: { url } } : {}),
})
