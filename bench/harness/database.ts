import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Where a benchmarked Parley keeps its data: a fresh database on the PostgreSQL server named by
 * DATABASE_URL or TEST_DATABASE_URL, or else a fresh embedded PGlite data directory. The harness
 * reads it directly to check counts: PostgreSQL at any time, PGlite only once Parley has stopped
 * (one process may open a PGlite directory, and Parley's wire server admits only itself).
 */
export interface BenchDatabase {
  kind: 'postgresql' | 'pglite';
  /** For Parley's environment: DATABASE_URL (PostgreSQL) or DATA_DIR (both). */
  env: Record<string, string>;
  dataDir: string;
  /** Runs read queries; for PGlite, only after Parley stopped. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export function serverUrlFromEnv(): string | undefined {
  const url = process.env['DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'];
  return url === undefined || url.trim() === '' ? undefined : url.trim();
}

export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `parley-bench-${label}-`));
  const serverUrl = serverUrlFromEnv();
  if (serverUrl === undefined) return pgliteDatabase(dataDir);

  const name = `parley_bench_${label.replace(/\W/g, '_')}_${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    kind: 'postgresql',
    env: { DATABASE_URL: url.toString(), DATA_DIR: dataDir },
    dataDir,
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async drop() {
      await pool.end();
      await withClient(serverUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function pgliteDatabase(dataDir: string): BenchDatabase {
  type PGliteInstance = { query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>; close(): Promise<void> };
  let opened: PGliteInstance | undefined;
  return {
    kind: 'pglite',
    env: { DATA_DIR: dataDir },
    dataDir,
    async query<T>(sql: string, params: unknown[] = []) {
      if (opened === undefined) {
        const { PGlite } = await import('@electric-sql/pglite');
        opened = await PGlite.create(path.join(dataDir, 'pglite'));
      }
      return (await opened.query<T>(sql, params)).rows;
    },
    async drop() {
      await opened?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One admin connection for `work`, always closed (also used by the chaos run). */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
