import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { servePglite } from './pglite-wire-server.ts';

/**
 * PostgreSQL compiled to WebAssembly (PGlite), persisted in a directory and served on a loopback
 * port, so every part of Parley talks to it through the same `pg` driver as to a real server.
 * The port requires a random password generated at start (SCRAM), so only this process connects.
 *
 * All connections share PGlite's single session (see pglite-wire-server.ts): they take turns, and
 * an open transaction holds the database until it ends. Code must therefore never wait, inside a
 * transaction, for a query on another connection.
 * LISTEN/NOTIFY does not cross connections here; embedded mode uses the in-process event bus.
 */
export interface EmbeddedPostgres {
  connectionString: string;
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory for the data files; omit for an in-memory database (tests). */
  dataDir?: string;
  /** A tarball from `PGlite.dumpDataDir()` to start from (tests start from a migrated template). */
  loadDataDir?: Blob | File;
}

/**
 * PostgreSQL's memory settings for the embedded database. Its "shared" memory lives in the
 * WebAssembly heap, so every buffer a query has touched stays in the process's RSS: the 128 MB
 * of shared buffers that initdb chooses were a quarter of `npm start`'s idle RSS (issue 13).
 * The data files are ordinary files, so pages beyond these buffers come from the OS page cache.
 */
const EMBEDDED_START_PARAMS = [
  ...PGlite.defaultStartParams,
  ...['-c', 'shared_buffers=16MB', '-c', 'wal_buffers=1MB', '-c', 'temp_buffers=1MB'],
];

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    startParams: EMBEDDED_START_PARAMS,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
  });
  // Held in memory only, and new at every start: the port is reachable by every local process.
  const password = randomBytes(24).toString('base64url');
  let server;
  try {
    server = await servePglite(db, { password });
  } catch (error) {
    await db.close();
    throw error;
  }
  const { port } = server;

  let closing: Promise<void> | undefined;
  return {
    connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    close() {
      // A clean close matters: an unclean stop makes the next start replay the WAL.
      closing ??= (async () => {
        await server.close();
        await db.close();
      })();
      return closing;
    },
  };
}
