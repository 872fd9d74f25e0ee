import { defineConfig } from 'drizzle-kit';

// drizzle-kit is pinned exactly: its migration folder format changes between releases.
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/db/schema/index.ts',
  out: './migrations',
  casing: 'snake_case',
});
