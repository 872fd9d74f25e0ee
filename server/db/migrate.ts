import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import type { Logger } from '../logger.ts';

/** Every instance migrates at start-up; the lock makes the first one do the work and the rest wait. */
const LOCK_SQL = "select pg_advisory_lock(hashtext('parley.migrations'))";
const UNLOCK_SQL = "select pg_advisory_unlock(hashtext('parley.migrations'))";

export interface MigrationResult {
  applied: number;
  total: number;
}

/**
 * Migrations started in this process run one after another. The advisory lock excludes other
 * processes, but on the embedded database every connection shares one session, where a session
 * lock is re-entrant and would let two migrators in at once.
 */
let migrationsInThisProcess: Promise<unknown> = Promise.resolve();

export function migrateDatabase(
  pool: pg.Pool,
  options: { migrationsFolder: string; logger: Logger },
): Promise<MigrationResult> {
  const run = migrationsInThisProcess.then(() => migrateUnderLock(pool, options));
  migrationsInThisProcess = run.catch(() => undefined);
  return run;
}

async function migrateUnderLock(
  pool: pg.Pool,
  options: { migrationsFolder: string; logger: Logger },
): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query(LOCK_SQL);
    try {
      const before = await countAppliedMigrations(client);
      await migrate(drizzle(client), { migrationsFolder: options.migrationsFolder });
      const total = await countAppliedMigrations(client);
      const result = { applied: total - before, total };
      options.logger.info(result, result.applied > 0 ? 'database migrated' : 'database schema is up to date');
      return result;
    } finally {
      await client.query(UNLOCK_SQL);
    }
  } finally {
    client.release();
  }
}

async function countAppliedMigrations(client: pg.PoolClient): Promise<number> {
  const exists = await client.query<{ table: string | null }>(
    "select to_regclass('drizzle.__drizzle_migrations')::text as table",
  );
  if (exists.rows[0]?.table == null) return 0;
  const result = await client.query<{ count: string }>('select count(*) from drizzle.__drizzle_migrations');
  return Number(result.rows[0]?.count ?? 0);
}
