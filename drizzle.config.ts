import { defineConfig } from 'drizzle-kit'

// `npm run db:generate` writes SQL migrations into drizzle/ from the schema;
// they are committed and applied by `npm run db:migrate` (dev/migrate.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
})
