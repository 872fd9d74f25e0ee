import { eq } from 'drizzle-orm';
import pg from 'pg';
import { inboxEvents } from '../../../server/db/schema/index.ts';
import { createJobQueue, type JobQueue } from '../../../server/jobs/job-queue.ts';
import { ALL_QUEUES, whatsappInboxQueue } from '../../../server/jobs/queues.ts';
import { createInboxWriter, type InboxRow } from '../../../server/services/whatsapp/inbox-writer.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { testDatabaseUrl } from '../../helpers/test-env.ts';
import { createTestLogger } from '../../helpers/test-logger.ts';

/** The webhook inbox's group commit (issue 13): batched under load, never acknowledged before commit. */
const PROVIDER = 'writer_test';
let database: TestDatabase;
let jobs: JobQueue;

beforeAll(async () => {
  database = await createTestDatabase();
  jobs = createJobQueue({
    connectionString: database.connectionString,
    logger: createTestLogger(),
    queues: ALL_QUEUES,
    useListenNotify: false,
  });
  await jobs.start();
});
afterAll(async () => {
  await jobs.stop({ graceful: false });
  await database.destroy();
});

// Quotes, backslashes and non-ASCII: the payloads travel to PostgreSQL as one JSON text.
const row = (key: string): InboxRow => ({
  provider: PROVIDER,
  dedupeKey: key,
  payload: { key, text: `"${key}" \\ ü 🙂`, nested: [{ key }] },
});
const storedKeys = async () =>
  (await database.db.select().from(inboxEvents).where(eq(inboxEvents.provider, PROVIDER))).map((r) => r.dedupeKey);
const inboxJobs = async () =>
  (
    await database.pool.query<{ data: { inboxIds: number[] } }>('select data from pgboss.job where name = $1', [
      whatsappInboxQueue.name,
    ])
  ).rows.map((job) => job.data.inboxIds);

it('commits concurrent webhooks together, one job per webhook, and attributes a duplicate to the first', async () => {
  const committed: number[][] = [];
  // A handoff that takes the first group only.
  const handoff = {
    jobStartAfter: '10 seconds',
    accepts: () => committed.length === 0,
    hand: (inboxIds: readonly number[]) => committed.push([...inboxIds]),
  };
  const writer = createInboxWriter({ db: database.db, jobs, maxInFlight: 1, handoff });
  const jobsBefore = (await inboxJobs()).length;
  // 1 goes alone (nothing in flight); 2–4 wait for it and are committed as one group.
  const results = await Promise.all([
    writer.write([row('a1'), row('a2')]),
    writer.write([row('b1')]),
    writer.write([row('b1'), row('c1')]), // b1 again, in the same group
    writer.write([row('a1')]), // already committed by the first group
  ]);
  expect(results).toEqual([2, 1, 1, 0]);
  expect((await storedKeys()).sort()).toEqual(['a1', 'a2', 'b1', 'c1']);
  // now() is the transaction's start: rows of one commit share it, rows of two commits do not.
  const stored = await database.db.select().from(inboxEvents).where(eq(inboxEvents.provider, PROVIDER));
  const committedAt = (key: string) => stored.find((r) => r.dedupeKey === key)?.receivedAt.getTime();
  expect(committedAt('b1')).toBe(committedAt('c1'));
  expect(committedAt('a1')).toBe(committedAt('a2'));
  expect(committedAt('b1')).not.toBe(committedAt('a1'));
  // Each row got its own payload, intact.
  for (const { dedupeKey, payload } of stored) expect(payload).toEqual(row(dedupeKey).payload);
  const created = (await inboxJobs()).slice(jobsBefore);
  // One job per webhook that stored something, naming exactly its new rows.
  expect(created.map((ids) => ids.length).sort()).toEqual([1, 1, 2]);
  expect(new Set(created.flat()).size).toBe(4);
  // The handoff got the first group's new rows once committed; their job waits out its grace, the
  // other group's jobs are due at once.
  const aIds = stored.filter((r) => r.dedupeKey.startsWith('a')).map((r) => r.id);
  expect(committed).toEqual([aIds.sort((a, b) => a - b)]);
  const delays = await database.pool.query<{ ids: number[]; delayed: boolean }>(
    `select data->'inboxIds' as ids, start_after > created_on + interval '9 seconds' as delayed
       from pgboss.job where name = $1 and data->'inboxIds' <@ $2::jsonb`,
    [whatsappInboxQueue.name, JSON.stringify(created.flat())],
  );
  expect(delays.rows.map((job) => [job.ids.length, job.delayed]).sort()).toEqual([
    [1, false],
    [1, false],
    [2, true],
  ]);
});

it('fails every webhook of a group whose commit fails, and stores none of them', async () => {
  const writer = createInboxWriter({ db: database.db, jobs, maxInFlight: 1 });
  const poisoned: InboxRow = { provider: PROVIDER, dedupeKey: 'bad', payload: {}, channelId: 'not-a-uuid' };
  const outcomes = await Promise.allSettled([
    writer.write([row('x1')]),
    writer.write([row('y1')]),
    writer.write([poisoned]),
  ]);
  expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 });
  expect(outcomes.slice(1).map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  expect(await storedKeys()).not.toContain('y1');
});

// LISTEN/NOTIFY needs a real PostgreSQL server (the embedded database cannot carry it between connections).
const withPostgres = testDatabaseUrl() === undefined ? describe.skip : describe;

withPostgres('with LISTEN/NOTIFY (pg-boss then inserts jobs with its NOTIFY statement)', () => {
  it('stores the rows and their job in the one statement, and wakes the workers', async () => {
    const notifying = createJobQueue({
      connectionString: database.connectionString,
      logger: createTestLogger(),
      queues: ALL_QUEUES,
      useListenNotify: true,
    });
    const listener = new pg.Client({ connectionString: database.connectionString });
    try {
      await notifying.start();
      await listener.connect();
      // pg-boss's channel for the schema `pgboss` (plans.notifyChannelSql).
      const { rows } = await listener.query<{ channel: string }>(
        "select 'pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24) as channel",
      );
      await listener.query(`listen ${rows[0]?.channel}`);
      const woken = new Promise<string | undefined>((resolve) =>
        listener.on('notification', (message) => resolve(message.payload)),
      );
      const writer = createInboxWriter({ db: database.db, jobs: notifying });
      const jobsBefore = (await inboxJobs()).length;
      expect(await writer.write([row('n1'), row('n2')])).toBe(2);
      expect(await woken).toBe(whatsappInboxQueue.name);
      const created = (await inboxJobs()).slice(jobsBefore);
      expect(created).toHaveLength(1);
      expect(created[0]).toHaveLength(2);
    } finally {
      await listener.end();
      await notifying.stop({ graceful: false });
    }
  });
});
