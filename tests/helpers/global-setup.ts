import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { startEmbeddedPostgres } from '../../server/db/embedded-postgres.ts';
import { prepareDatabaseSchema } from '../../server/db/embedded-template-build.ts';
import { createLogger } from '../../server/logger.ts';
import { dropStaleTestDatabases, runAdmin, testDatabaseName } from './test-database-admin.ts';
import {
  PGLITE_TEMPLATE_ENV,
  TEMPLATE_DB_ENV,
  TEST_LOG_FILE_ENV,
  testDatabaseUrl,
  withDatabaseName,
} from './test-env.ts';

/**
 * Migrates one template database per run; every test file then gets its own copy (a database
 * cloned from the template on PostgreSQL, a PGlite loaded from a dump otherwise).
 */
export default async function globalSetup(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'parley-test-'));
  const logFile = path.join(workDir, 'suite.log');
  writeFileSync(logFile, '');
  process.env[TEST_LOG_FILE_ENV] = logFile;
  const migrationsFolder = path.resolve('migrations');
  const adminUrl = testDatabaseUrl();

  if (adminUrl !== undefined) {
    const template = testDatabaseName('template');
    await runAdmin(adminUrl, async (admin) => {
      await dropStaleTestDatabases(admin);
      await admin.query(`create database ${template}`);
    });
    await migrateAt(withDatabaseName(adminUrl, template), migrationsFolder);
    process.env[TEMPLATE_DB_ENV] = template;
    return;
  }

  const dataDir = path.join(workDir, 'pglite-template');
  const embedded = await startEmbeddedPostgres({ dataDir });
  await migrateAt(embedded.connectionString, migrationsFolder);
  await embedded.close();
  const db = await PGlite.create({ dataDir });
  const dump = await db.dumpDataDir('none');
  await db.close();
  const file = path.join(workDir, 'pglite-template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env[PGLITE_TEMPLATE_ENV] = file;
}

/** Parley's migrations and pg-boss's schema and queues, so each test file starts its queue quickly. */
async function migrateAt(connectionString: string, migrationsFolder: string): Promise<void> {
  await prepareDatabaseSchema({ connectionString, migrationsFolder, logger: createLogger({ level: 'warn' }) });
}
