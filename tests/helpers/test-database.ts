import { readFileSync } from 'node:fs';
import { connectDatabase, type DatabaseHandle } from '../../server/db/client.ts';
import { startEmbeddedPostgres } from '../../server/db/embedded-postgres.ts';
import { runAdmin, testDatabaseName } from './test-database-admin.ts';
import { PGLITE_TEMPLATE_ENV, TEMPLATE_DB_ENV, testDatabaseUrl, withDatabaseName } from './test-env.ts';
import { createTestLogger } from './test-logger.ts';

export interface TestDatabase extends DatabaseHandle {
  /** Closes the pool and deletes the database. */
  destroy(): Promise<void>;
}

/**
 * A migrated database of the test's own: a clone of the run's template on PostgreSQL
 * (TEST_DATABASE_URL), or an in-memory PGlite loaded from the migrated dump.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const logger = createTestLogger();
  const adminUrl = testDatabaseUrl();
  if (adminUrl !== undefined) {
    const name = testDatabaseName('db');
    const template = options.empty === true ? 'template0' : requireEnv(TEMPLATE_DB_ENV);
    await runAdmin(adminUrl, (admin) => admin.query(`create database ${name} template ${template}`));
    const handle = connectDatabase({ connectionString: withDatabaseName(adminUrl, name), logger, poolMax: 5 });
    return {
      ...handle,
      async destroy() {
        await handle.close();
        await runAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
      },
    };
  }
  const template = options.empty === true ? undefined : new Blob([readFileSync(requireEnv(PGLITE_TEMPLATE_ENV))]);
  const embedded = await startEmbeddedPostgres(template === undefined ? {} : { loadDataDir: template });
  const handle = connectDatabase({ connectionString: embedded.connectionString, logger, poolMax: 5, embedded });
  return { ...handle, destroy: () => handle.close() };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set: run tests through jest (global setup prepares it)`);
  return value;
}
