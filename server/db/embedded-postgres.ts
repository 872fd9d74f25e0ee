import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * PostgreSQL compiled to WebAssembly (PGlite), persisted in a directory and served on a loopback
 * port, so every part of Parley talks to it through the same `pg` driver as to a real server.
 *
 * The socket server multiplexes connections onto PGlite's single session: statements of different
 * connections are serialized, and an open transaction holds the database until it ends. Code
 * must therefore never wait, inside a transaction, for a query on another connection.
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
  maxConnections?: number;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
  });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: options.maxConnections ?? 40,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();

  let closing: Promise<void> | undefined;
  return {
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    close() {
      // A clean close matters: an unclean stop makes the next start replay the WAL.
      closing ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return closing;
    },
  };
}
