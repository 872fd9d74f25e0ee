import { readFileSync } from 'node:fs';
import path from 'node:path';
import { migrateDatabase } from '../../server/db/migrate.ts';
import { connectDatabase } from '../../server/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

const migrationsFolder = path.resolve('migrations');
const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
  entries: { tag: string }[];
};
const logger = createTestLogger();

describe('migrations', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase({ empty: true });
  });

  afterEach(async () => {
    await database.destroy();
  });

  it('build the whole schema on a fresh database, then have nothing left to do', async () => {
    const first = await migrateDatabase(database.pool, { migrationsFolder, logger });
    expect(first).toEqual({ applied: journal.entries.length, total: journal.entries.length });

    const tables = await database.pool.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'workspaces',
        'members',
        'invitations',
        'join_requests',
        'companies',
        'connections',
        'channels',
        'chats',
        'messages',
        'inbox_events',
        'sync_effects',
        'audit_log',
        'company_settings',
      ]),
    );

    const second = await migrateDatabase(database.pool, { migrationsFolder, logger });
    expect(second).toEqual({ applied: 0, total: journal.entries.length });
  });

  it('are safe when several instances start at once', async () => {
    const pools = [0, 1, 2].map(() =>
      connectDatabase({ connectionString: database.connectionString, logger, poolMax: 2 }),
    );
    try {
      const results = await Promise.all(
        pools.map((handle) => migrateDatabase(handle.pool, { migrationsFolder, logger })),
      );
      expect(results.map((result) => result.applied).sort()).toEqual([0, 0, journal.entries.length]);
      const applied = await database.pool.query<{ count: string }>('select count(*) from drizzle.__drizzle_migrations');
      expect(Number(applied.rows[0]?.count)).toBe(journal.entries.length);
    } finally {
      await Promise.all(pools.map((handle) => handle.close()));
    }
  });
});
