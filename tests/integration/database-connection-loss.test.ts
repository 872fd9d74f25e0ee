import { sql } from 'drizzle-orm';
import { DatabaseProxy } from '../../chaos/processes.ts';
import { connectDatabase, type DatabaseHandle } from '../../server/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { testDatabaseUrl } from '../helpers/test-env.ts';

const withPostgres = testDatabaseUrl() === undefined ? describe.skip : describe;

/**
 * F9 at the pool: the database goes away while a transaction holds a connection (a restart, a network
 * cut). The transaction must fail like any query — not crash the process with an unhandled 'error'
 * event, which is what took a worker down in the chaos run — and the pool must work again once the
 * database is back.
 */
withPostgres('database connection lost mid-transaction', () => {
  let database: TestDatabase;
  let proxy: DatabaseProxy;
  let handle: DatabaseHandle;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(database.connectionString);
    proxy = new DatabaseProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(await proxy.listen());
    handle = connectDatabase({ connectionString: url.toString(), logger: createTestLogger(), poolMax: 2 });
    process.on('uncaughtException', onUncaught);
  });

  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await handle.close();
    await proxy.close();
    await database.destroy();
  });

  it('the transaction rejects, nothing is thrown at the process, and the pool recovers', async () => {
    let cut!: Promise<void>;
    const transaction = handle.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      cut = proxy.outage(500);
      await cut;
      await tx.execute(sql`select 2`);
    });
    await expect(transaction).rejects.toThrow();
    await cut;
    // Let any 'error' event the dead socket still emits reach the process.
    await new Promise((resolve) => setImmediate(resolve));
    expect(uncaught).toEqual([]);
    const { rows } = await handle.pool.query<{ ok: number }>('select 1 as ok');
    expect(rows).toEqual([{ ok: 1 }]);
  });
});
