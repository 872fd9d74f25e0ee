import { mkdtempSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { logMessages, startServerProcess } from '../../scripts/server-process.ts';
import { embeddedTemplateIsCurrent } from '../../server/db/embedded-template.ts';
import { resolveProjectPaths } from '../../server/paths.ts';
import { runAdmin, testDatabaseName } from '../helpers/test-database-admin.ts';
import { testDatabaseUrl, withDatabaseName } from '../helpers/test-env.ts';

const journal = JSON.parse(readFileSync(path.resolve('migrations/meta/_journal.json'), 'utf8')) as {
  entries: unknown[];
};

describe('the server process (npm start)', () => {
  it('starts on the embedded database, is ready, stops cleanly on SIGTERM, and keeps its data across restarts', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-data-'));
    const first = await startServerProcess({ DATA_DIR: dataDir });
    const ready = await fetch(`${first.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await first.stop()).toBe(0);
    // With a current template from `npm run build` the new database is a migrated copy of it;
    // without one (CI tests before it builds) the start creates the database and migrates it.
    const fromTemplate = embeddedTemplateIsCurrent(resolveProjectPaths(path.resolve('.')));
    expect(logMessages(first)).toEqual(
      expect.arrayContaining([
        fromTemplate ? 'database schema is up to date' : 'database migrated',
        'shutdown complete',
      ]),
    );

    // Write a row behind the server's back, straight into its data directory.
    const direct = await PGlite.create({ dataDir: path.join(dataDir, 'pglite') });
    await direct.query("insert into workspaces (name) values ('Survives restarts')");
    await direct.close();

    const second = await startServerProcess({ DATA_DIR: dataDir });
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    expect(await second.stop()).toBe(0);
    expect(logMessages(second)).toContain('database schema is up to date');

    const after = await PGlite.create({ dataDir: path.join(dataDir, 'pglite') });
    const rows = await after.query<{ name: string }>('select name from workspaces');
    await after.close();
    expect(rows.rows).toEqual([{ name: 'Survives restarts' }]);
  }, 90_000);

  it('fails fast with one message listing every bad variable', async () => {
    await expect(
      startServerProcess({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-data-')),
      }),
    ).rejects.toThrow(/exited with code 1[\s\S]*PORT must be a port number[\s\S]*LOG_LEVEL must be one of/);
  });
});

const withPostgres = testDatabaseUrl() === undefined ? describe.skip : describe;

withPostgres('two server processes on one PostgreSQL', () => {
  it('both migrate safely, both answer, both stop cleanly', async () => {
    const adminUrl = testDatabaseUrl() ?? '';
    const name = testDatabaseName('instances');
    await runAdmin(adminUrl, (admin) => admin.query(`create database ${name}`));
    try {
      const env = {
        DATABASE_URL: withDatabaseName(adminUrl, name),
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-data-')),
      };
      const servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
      const statuses = await Promise.all(servers.map(async (server) => (await fetch(`${server.url}/readyz`)).status));
      expect(statuses).toEqual([200, 200]);
      const migrated = servers.map((server) => logMessages(server).includes('database migrated'));
      expect(migrated.sort()).toEqual([false, true]);
      const count = await runAdmin(withDatabaseName(adminUrl, name), (client) =>
        client.query<{ count: string }>('select count(*) from drizzle.__drizzle_migrations'),
      );
      expect(Number(count.rows[0]?.count)).toBe(journal.entries.length);
      expect(await Promise.all(servers.map((server) => server.stop()))).toEqual([0, 0]);
    } finally {
      await runAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    }
  }, 90_000);
});
