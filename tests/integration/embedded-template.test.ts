import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../server/db/embedded-postgres.ts';
import { ensureEmbeddedTemplate } from '../../server/db/embedded-template-build.ts';
import {
  embeddedTemplateIsCurrent,
  seedFromEmbeddedTemplate,
  type EmbeddedTemplatePaths,
} from '../../server/db/embedded-template.ts';
import { migrateDatabase } from '../../server/db/migrate.ts';
import { createLogger } from '../../server/logger.ts';

const logger = createLogger({ level: 'silent' });
const journal = JSON.parse(readFileSync(path.resolve('migrations/meta/_journal.json'), 'utf8')) as {
  entries: unknown[];
};

/** Opens the embedded database in `pgDataDir`, runs `use` on a pool, and closes it cleanly. */
async function withDatabase<T>(pgDataDir: string, use: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const embedded = await startEmbeddedPostgres({ dataDir: pgDataDir });
  const pool = new pg.Pool({ connectionString: embedded.connectionString, max: 2 });
  try {
    return await use(pool);
  } finally {
    await pool.end();
    await embedded.close();
  }
}

describe("the embedded database's build-time template", () => {
  let work: string;
  let paths: EmbeddedTemplatePaths;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'parley-template-'));
    paths = {
      root: path.resolve('.'),
      migrations: path.resolve('migrations'),
      embeddedTemplate: path.join(work, 'template'),
    };
    expect(await ensureEmbeddedTemplate(paths, logger)).toBe('built');
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is reused while the migrations and packages are unchanged', async () => {
    expect(await ensureEmbeddedTemplate(paths, logger)).toBe('reused');
  });

  it('fills a fresh data directory with a database that is migrated and has the job queue schema', async () => {
    const pgDataDir = path.join(work, 'fresh', 'pglite');
    expect(seedFromEmbeddedTemplate(pgDataDir, paths)).toBe(true);
    await withDatabase(pgDataDir, async (pool) => {
      expect(await migrateDatabase(pool, { migrationsFolder: paths.migrations, logger })).toEqual({
        applied: 0,
        total: journal.entries.length,
      });
      const boss = await pool.query<{ table: string | null }>("select to_regclass('pgboss.job')::text as table");
      expect(boss.rows[0]?.table).toBe('pgboss.job');
    });
  }, 60_000);

  it('never touches a data directory that already holds a database', async () => {
    const pgDataDir = path.join(work, 'existing', 'pglite');
    expect(seedFromEmbeddedTemplate(pgDataDir, paths)).toBe(true);
    await withDatabase(pgDataDir, (pool) => pool.query('create table kept (id int)'));
    expect(seedFromEmbeddedTemplate(pgDataDir, paths)).toBe(false);
    const kept = await withDatabase(pgDataDir, (pool) =>
      pool.query<{ table: string | null }>("select to_regclass('public.kept')::text as table"),
    );
    expect(kept.rows[0]?.table).toBe('kept');
  }, 60_000);

  it('leaves a directory with leftovers of an interrupted creation to PGlite', () => {
    const pgDataDir = path.join(work, 'interrupted', 'pglite');
    mkdirSync(pgDataDir, { recursive: true });
    writeFileSync(path.join(pgDataDir, 'postgresql.conf'), '');
    expect(seedFromEmbeddedTemplate(pgDataDir, paths)).toBe(false);
    expect(existsSync(path.join(pgDataDir, 'PG_VERSION'))).toBe(false);
  });

  it('is ignored once a migration is added, so the start creates and migrates the database instead', () => {
    const migrations = path.join(work, 'changed-migrations');
    cpSync(paths.migrations, migrations, { recursive: true });
    writeFileSync(path.join(migrations, '9999_new.sql'), 'create table newer (id int);');
    const changed = { ...paths, migrations };
    expect(embeddedTemplateIsCurrent(changed)).toBe(false);
    const pgDataDir = path.join(work, 'after-change', 'pglite');
    expect(seedFromEmbeddedTemplate(pgDataDir, changed)).toBe(false);
    expect(existsSync(pgDataDir)).toBe(false);
  });
});
