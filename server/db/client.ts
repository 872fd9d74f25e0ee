import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { seedFromEmbeddedTemplate, type EmbeddedTemplatePaths } from './embedded-template.ts';
import * as schema from './schema/index.ts';

/** The query builder, and the pool under it for the few hot statements that skip the builder. */
export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Repositories accept either, so services can group writes in one transaction. */
export type DbOrTx = Db | Tx;

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  /** Where other components (pg-boss, the event bus listener) connect. */
  connectionString: string;
  embedded: boolean;
  /** Resolves when the database answers within the timeout, rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; undefined opens the embedded database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  logger: Logger;
  poolMax?: number;
  /** Where a fresh embedded database may be copied from instead of created (the build's template). */
  template?: EmbeddedTemplatePaths;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl !== undefined) {
    return connectDatabase({
      connectionString: options.databaseUrl,
      logger: options.logger,
      poolMax: options.poolMax ?? 10,
    });
  }
  const pgDataDir = `${options.dataDir}/pglite`;
  const seeded = options.template !== undefined && seedFromEmbeddedTemplate(pgDataDir, options.template);
  const embedded = await startEmbeddedPostgres({ dataDir: pgDataDir });
  options.logger.info(
    { dataDir: options.dataDir, ...(seeded ? { createdFrom: options.template?.embeddedTemplate } : {}) },
    'using the embedded database (PGlite)',
  );
  return connectDatabase({
    connectionString: embedded.connectionString,
    logger: options.logger,
    poolMax: options.poolMax ?? 8,
    embedded,
  });
}

export function connectDatabase(options: {
  connectionString: string;
  logger: Logger;
  poolMax: number;
  embedded?: { close(): Promise<void> };
}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'parley',
  });
  // An idle client losing its server (restart, network) must not crash the process; the pool
  // drops it and opens a new one on the next checkout.
  pool.on('error', (error) => options.logger.warn({ err: error }, 'database connection lost'));
  // The pool listens for errors only on idle clients: a checked-out client (a transaction) whose
  // server goes away emits 'error' with nobody listening, an uncaught exception that took a worker
  // down when the chaos run cut the database. Its query rejects anyway, and the pool discards it
  // when it is released with that error.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.logger.warn({ err: error }, 'database connection lost mid-query'));
  });

  let closing: Promise<void> | undefined;
  return {
    db: drizzle(pool, { schema, casing: 'snake_case' }),
    pool,
    connectionString: options.connectionString,
    embedded: options.embedded !== undefined,
    async ping(timeoutMs = 1000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([pool.query('select 1'), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= (async () => {
        if (!pool.ended) await pool.end();
        await options.embedded?.close();
      })();
      return closing;
    },
  };
}
