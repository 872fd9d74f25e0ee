import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/db/embedded-postgres.ts';

describe('the embedded database served over TCP', () => {
  let embedded: EmbeddedPostgres;
  let pools: pg.Pool[];

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres();
    pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: embedded.connectionString, max: 4 }));
    await pools[0]?.query('create table items (id int primary key, label text not null)');
    await pools[0]?.query("insert into items select n, 'item ' || n from generate_series(1, 200) as n");
    // A new embedded database runs initdb in WebAssembly: seconds alone, over 30 s on two busy cores.
  }, 120_000);

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await embedded.close();
  });

  it('answers many concurrent parameterized queries from many connections with their own rows', async () => {
    // Different statement shapes at once: a multiplexer that interleaves protocol messages of two
    // connections binds one query's parameters to another's statement and returns wrong rows.
    const checks = Array.from({ length: 300 }, async (_, i) => {
      const pool = pools[i % pools.length] as pg.Pool;
      const id = (i % 200) + 1;
      if (i % 3 === 0)
        return (
          (await pool.query<{ label: string }>('select label from items where id = $1', [id])).rows[0]?.label ===
          `item ${id}`
        );
      if (i % 3 === 1)
        return (
          Number(
            (
              await pool.query<{ n: string }>('select count(*) as n from items where id <= $1 and label like $2', [
                id,
                'item%',
              ])
            ).rows[0]?.n,
          ) === id
        );
      return (await pool.query<{ sum: number }>('select $1::int + $2::int as sum', [id, i])).rows[0]?.sum === id + i;
    });
    expect((await Promise.all(checks)).every(Boolean)).toBe(true);
  });

  it('keeps a transaction to itself: others wait, and see its writes only after commit', async () => {
    const writer = await (pools[0] as pg.Pool).connect();
    try {
      await writer.query('begin');
      await writer.query("update items set label = 'changed' where id = 1");
      const reader = (pools[1] as pg.Pool).query<{ label: string }>('select label from items where id = 1');
      await writer.query("update items set label = 'changed twice' where id = 1");
      await writer.query('commit');
      expect((await reader).rows[0]?.label).toBe('changed twice');
    } finally {
      writer.release();
    }
  });

  it('answers a failing extended-protocol query with its error and frees the session at Sync', async () => {
    const pool = pools[0] as pg.Pool;
    const client = await pool.connect();
    try {
      // Parse/Bind/Execute/Sync where Execute fails: the server skips to Sync and must hand the
      // session back, or every other connection would wait forever.
      const failure = await client.query('select 10 / $1::int as quotient', [0]).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as { code?: string }).code).toBe('22012');
      const concurrent = Array.from({ length: 20 }, (_, i) =>
        (pools[i % pools.length] as pg.Pool)
          .query<{ label: string }>('select label from items where id = $1', [i + 10])
          .then(({ rows }) => rows[0]?.label),
      );
      expect(await Promise.all(concurrent)).toStrictEqual(Array.from({ length: 20 }, (_, i) => `item ${i + 10}`));
      // The failing connection itself keeps working with the same statement shape.
      expect((await client.query<{ quotient: number }>('select 10 / $1::int as quotient', [5])).rows).toStrictEqual([
        { quotient: 2 },
      ]);

      // Inside a transaction: the failure aborts it, the session stays with it until ROLLBACK.
      await client.query('begin');
      await client.query("update items set label = 'doomed' where id = 3");
      const duplicate = await client
        .query('insert into items (id, label) values ($1, $2)', [4, 'duplicate'])
        .catch((error: unknown) => error);
      expect((duplicate as { code?: string }).code).toBe('23505');
      const aborted = await client.query('select 1').catch((error: unknown) => error);
      expect((aborted as { code?: string }).code).toBe('25P02');
      await client.query('rollback');
      const { rows } = await (pools[1] as pg.Pool).query<{ label: string }>('select label from items where id = 3');
      expect(rows).toStrictEqual([{ label: 'item 3' }]);
    } finally {
      client.release();
    }
  });

  it('rolls back the transaction of a client that disconnects, and keeps serving the others', async () => {
    const client = new pg.Client({ connectionString: embedded.connectionString });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('begin');
    await client.query("update items set label = 'abandoned' where id = 2");
    client.connection.stream.destroy();
    const { rows } = await (pools[2] as pg.Pool).query<{ label: string }>('select label from items where id = 2');
    expect(rows[0]?.label).toBe('item 2');
  });

  it('finding 5: refuses a local process that does not know the in-memory password', async () => {
    const url = new URL(embedded.connectionString);
    expect(url.password.length).toBeGreaterThanOrEqual(24);
    const attempt = async (password: string | undefined) => {
      const client = new pg.Client({
        host: url.hostname,
        port: Number(url.port),
        user: 'postgres',
        database: 'postgres',
        ...(password === undefined ? {} : { password }),
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('select label from items limit 1');
        return 'connected';
      } catch (error) {
        return (error as { code?: string; message: string }).code ?? (error as Error).message;
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    // What `psql -h 127.0.0.1 -p <port> -U postgres` did: no password at all, or a guess.
    expect(await attempt(undefined)).not.toBe('connected');
    expect(await attempt('postgres')).toBe('28P01');
    expect(await attempt(`${url.password}x`)).toBe('28P01');
    // The server keeps serving Parley's own connections.
    const { rows } = await (pools[0] as pg.Pool).query<{ n: string }>('select count(*) as n from items');
    expect(Number(rows[0]?.n)).toBe(200);
  });
});
