import path from 'node:path';
import { loadConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/client.ts';
import { migrateDatabase } from '../server/db/migrate.ts';
import { loadOrCreateGeneratedSecrets } from '../server/generated-secrets.ts';
import { createLogger } from '../server/logger.ts';
import { resolveProjectPaths } from '../server/paths.ts';

/**
 * `npm run db:migrate`: applies pending migrations and exits non-zero on any failure. Servers also
 * migrate at start-up (under the same advisory lock); this is for deploy pipelines that migrate first.
 */
async function run(): Promise<void> {
  const config = loadConfig(process.env, { generatedSecrets: loadOrCreateGeneratedSecrets });
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    await migrateDatabase(database.pool, {
      migrationsFolder: resolveProjectPaths(path.resolve(import.meta.dirname, '..')).migrations,
      logger,
    });
  } finally {
    await database.close();
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
