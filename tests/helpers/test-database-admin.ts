import { randomBytes } from 'node:crypto';
import pg from 'pg';

const PREFIX = 'parley_test_';

/** `parley_test_<kind>_<unix seconds>_<random>`: the timestamp lets a later run clean up after a crash. */
export function testDatabaseName(kind: string): string {
  return `${PREFIX}${kind}_${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
}

export async function runAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops test databases an interrupted run left behind (older than an hour). */
export async function dropStaleTestDatabases(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like 'parley\\_test\\_%'`,
  );
  const cutoff = Date.now() / 1000 - 3600;
  for (const { datname } of rows) {
    const createdAt = Number(/_(\d+)_[0-9a-f]+$/.exec(datname)?.[1] ?? 0);
    if (createdAt < cutoff) await admin.query(`drop database if exists "${datname}" with (force)`);
  }
}
