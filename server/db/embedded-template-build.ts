import { rmSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createJobQueue } from '../jobs/job-queue.ts';
import { ALL_QUEUES } from '../jobs/queues.ts';
import type { Logger } from '../logger.ts';
import { connectDatabase } from './client.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import {
  DATA_FOLDER,
  embeddedTemplateIsCurrent,
  embeddedTemplateKey,
  STAMP_FILE,
  type EmbeddedTemplatePaths,
} from './embedded-template.ts';
import { migrateDatabase } from './migrate.ts';

/**
 * Applies Parley's migrations and installs pg-boss's schema and queues: what a start does to a new
 * database, for templates (this one, and the test suite's).
 */
export async function prepareDatabaseSchema(options: {
  connectionString: string;
  migrationsFolder: string;
  logger: Logger;
}): Promise<void> {
  const database = connectDatabase({ connectionString: options.connectionString, logger: options.logger, poolMax: 2 });
  try {
    await migrateDatabase(database.pool, { migrationsFolder: options.migrationsFolder, logger: options.logger });
    const jobs = createJobQueue({
      connectionString: options.connectionString,
      logger: options.logger,
      queues: ALL_QUEUES,
      useListenNotify: false,
      poolMax: 2,
    });
    await jobs.start();
    await jobs.stop({ graceful: false, timeoutMs: 1000 });
  } finally {
    await database.close();
  }
}

/** Makes the template unless a current one exists (`npm run build`, and the start benchmark). */
export async function ensureEmbeddedTemplate(
  paths: EmbeddedTemplatePaths,
  logger: Logger,
): Promise<'reused' | 'built'> {
  if (embeddedTemplateIsCurrent(paths)) return 'reused';
  const key = embeddedTemplateKey(paths);
  const work = `${paths.embeddedTemplate}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(work, DATA_FOLDER) });
  try {
    await prepareDatabaseSchema({
      connectionString: embedded.connectionString,
      migrationsFolder: paths.migrations,
      logger,
    });
  } finally {
    // A clean close checkpoints, so a copy starts without replaying the WAL.
    await embedded.close();
  }
  writeFileSync(path.join(work, STAMP_FILE), `${JSON.stringify({ key }, null, 2)}\n`);
  rmSync(paths.embeddedTemplate, { recursive: true, force: true });
  renameSync(work, paths.embeddedTemplate);
  return 'built';
}
