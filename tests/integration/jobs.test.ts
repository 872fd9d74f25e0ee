import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createJobQueue, defineQueue, type JobQueue } from '../../server/jobs/job-queue.ts';
import { startWorkers, registerJob, type WorkerRunner } from '../../server/jobs/worker-runner.ts';
import { maintenanceCleanupQueue, ALL_QUEUES } from '../../server/jobs/queues.ts';
import { createJobRegistrations } from '../../server/jobs/job-registrations.ts';
import { createMaintenanceService } from '../../server/services/maintenance/maintenance.service.ts';
import { accounts, sessions } from '../../server/db/schema/index.ts';
import { systemClock } from '../../server/clock.ts';
import { createDomainServices } from '../../server/services/domain-services.ts';
import { testConfig } from '../helpers/test-config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { testDatabaseUrl } from '../helpers/test-env.ts';

const logger = createTestLogger();
const echoQueue = defineQueue<{ value: string }>('test.echo', { retryLimit: 2, retryDelay: 0 });
const statelyDead = defineQueue<{ value: string }>('test.stately.dead');
const statelyQueue = defineQueue<{ value: string }>('test.stately', {
  policy: 'stately',
  retryLimit: 5,
  retryDelay: 600,
  deadLetter: statelyDead.name,
});

/** A promise with its resolver, for waiting on something a worker does. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('durable jobs (pg-boss)', () => {
  let database: TestDatabase;
  let jobs: JobQueue;
  let workers: WorkerRunner | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    jobs = createJobQueue({
      connectionString: database.connectionString,
      logger,
      queues: [...ALL_QUEUES, echoQueue, statelyDead, statelyQueue],
      useListenNotify: false,
    });
    await jobs.start();
  });

  afterEach(async () => {
    await workers?.stop();
    workers = undefined;
  });

  afterAll(async () => {
    await jobs.stop({ graceful: false, timeoutMs: 2000 });
    await database.destroy();
  });

  it('round-trips a job from send to handler with its data', async () => {
    const handled = deferred<{ value: string; retryCount: number }>();
    workers = await startWorkers({
      jobs,
      logger,
      pollingIntervalSeconds: 0.5,
      registrations: [
        registerJob({
          queue: echoQueue,
          handler: async (data, context) => handled.resolve({ value: data.value, retryCount: context.retryCount }),
        }),
      ],
    });
    const value = randomUUID();
    const id = await jobs.send(echoQueue, { value });
    await expect(handled.promise).resolves.toEqual({ value, retryCount: 0 });
    expect(id).toEqual(expect.any(String));
  });

  it('retries a job whose handler failed', async () => {
    const attempts: number[] = [];
    const succeeded = deferred<void>();
    workers = await startWorkers({
      jobs,
      logger,
      pollingIntervalSeconds: 0.5,
      registrations: [
        registerJob({
          queue: echoQueue,
          handler: async (_data, { retryCount }) => {
            attempts.push(retryCount);
            if (retryCount === 0) throw new Error('transient failure');
            succeeded.resolve();
          },
        }),
      ],
    });
    await jobs.send(echoQueue, { value: 'flaky' });
    await succeeded.promise;
    expect(attempts).toEqual([0, 1]);
  });

  it('enqueues inside a transaction: the job exists only if the transaction commits', async () => {
    const rolledBack = `rolled-back-${randomUUID()}`;
    const committed = `committed-${randomUUID()}`;
    await expect(
      database.db.transaction(async (tx) => {
        await jobs.send(echoQueue, { value: rolledBack }, { tx });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await jobs.send(echoQueue, { value: committed }, { tx });
    });

    const queued = await database.pool.query<{ data: { value: string } }>(
      "select data from pgboss.job where name = 'test.echo' and data->>'value' in ($1, $2)",
      [rolledBack, committed],
    );
    expect(queued.rows.map((row) => row.data.value)).toEqual([committed]);
  });

  it('works a backlog back to back, not one job per polling interval', async () => {
    const total = 100;
    const seen = new Set<string>();
    const all = deferred<void>();
    for (let i = 0; i < total; i += 1) await jobs.send(echoQueue, { value: `backlog-${i}` });
    // Workers burst once pg-boss's cached ready count shows the backlog (its monitor counts every
    // 10 s, each process re-reads every 5 s): until then they poll once a second.
    const started = Date.now();
    workers = await startWorkers({
      jobs,
      logger,
      registrations: [
        registerJob({
          queue: echoQueue,
          handler: async ({ value }) => {
            if (value.startsWith('backlog-')) seen.add(value);
            if (seen.size === total) all.resolve();
          },
        }),
      ],
    });
    await all.promise;
    // At one job per 1-second poll this takes 100 s; bursting, the ~15 s before the count is seen.
    expect(Date.now() - started).toBeLessThan(50_000);
  }, 120_000);

  it('a stately queue holds one retry per key: a second failure is dead-lettered, which hasRetryWaiting foresees', async () => {
    const key = `chat:${randomUUID()}`;
    const fail = async () => {
      const [job] = await jobs.boss.fetch<{ value: string }>(statelyQueue.name);
      if (job === undefined) throw new Error('nothing to fetch');
      await jobs.boss.fail(statelyQueue.name, job.id, { message: 'transient' });
      return job.id;
    };
    const first = await jobs.send(statelyQueue, { value: 'first' }, { singletonKey: key });
    await fail();
    const second = await jobs.send(statelyQueue, { value: 'second' }, { singletonKey: key });
    expect(await jobs.hasRetryWaiting(statelyQueue, key, first ?? '')).toBe(false);
    expect(await jobs.hasRetryWaiting(statelyQueue, key, second ?? '')).toBe(true);
    await fail();
    // What the sync job avoids by leaving the chat to the waiting retry (chat-sync.service.ts).
    const dead = await jobs.boss.findJobs<{ value: string }>(statelyDead.name);
    expect(dead.map((job) => job.data.value)).toEqual(['second']);
  });

  it('runs the scheduled maintenance job through the real registration: expired sessions go', async () => {
    const [account] = await database.db
      .insert(accounts)
      .values({ email: `a-${randomUUID()}@example.com`, name: 'A' })
      .returning();
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await database.pool.query(
      "insert into rate_limit_counters (key, window_start, count, expires_at) values ('old', now() - interval '1 hour', 3, now() - interval '59 minutes'), ('current', now(), 1, now() + interval '1 minute')",
    );
    await database.db.insert(sessions).values([
      { tokenHash: `expired-${randomUUID()}`, accountId: account?.id ?? '', expiresAt: past },
      { tokenHash: `live-${randomUUID()}`, accountId: account?.id ?? '', expiresAt: future },
    ]);
    const maintenance = createMaintenanceService({ db: database.db, clock: { now: () => new Date() } });
    const done = deferred<void>();
    const domain = createDomainServices({ config: testConfig(), db: database.db, jobs, clock: systemClock, logger });
    const [registration] = createJobRegistrations({ maintenance, domain });
    workers = await startWorkers({
      jobs,
      logger,
      pollingIntervalSeconds: 0.5,
      registrations: [
        registerJob({
          queue: maintenanceCleanupQueue,
          handler: async (data, context) => {
            await registration?.handler(data, context);
            done.resolve();
          },
        }),
      ],
    });
    await jobs.send(maintenanceCleanupQueue, { reason: 'manual' });
    await done.promise;
    const left = await database.db.select({ tokenHash: sessions.tokenHash }).from(sessions);
    expect(left.map((row) => row.tokenHash)).toEqual([expect.stringMatching(/^live-/)]);
    const windows = await database.pool.query('select count(*)::int as n from rate_limit_counters');
    expect(windows.rows[0]).toEqual({ n: 1 });
  });
});

const withPostgres = testDatabaseUrl() === undefined ? describe.skip : describe;

/**
 * With LISTEN/NOTIFY (real PostgreSQL), pg-boss wakes workers on insert only; a job that becomes due
 * later (sync.chat's start delay, a retry's backoff) used to wait for the 30-second backstop poll.
 * Found by the chaos run: every sync.chat started ~28 s late and every retry came ~30 s apart.
 */
withPostgres('durable jobs with LISTEN/NOTIFY (PostgreSQL)', () => {
  let database: TestDatabase;
  let jobs: JobQueue;
  let workers: WorkerRunner | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    jobs = createJobQueue({
      connectionString: database.connectionString,
      logger,
      queues: [echoQueue],
      useListenNotify: true,
    });
    await jobs.start();
  });

  afterAll(async () => {
    await workers?.stop();
    await jobs.stop({ graceful: false, timeoutMs: 2000 });
    await database.destroy();
  });

  it('a delayed job starts at its time, not at the next 30-second backstop poll', async () => {
    const handled = deferred<number>();
    workers = await startWorkers({
      jobs,
      logger,
      registrations: [registerJob({ queue: echoQueue, handler: async () => handled.resolve(Date.now()) })],
    });
    // The worker's first fetch has run and found nothing: only a poll can see the job become due.
    const sentAt = Date.now();
    await jobs.send(echoQueue, { value: 'later' }, { startAfter: 2 });
    const ranAt = await handled.promise;
    expect(ranAt - sentAt).toBeGreaterThanOrEqual(1_500);
    expect(ranAt - sentAt).toBeLessThan(10_000);
  });
});
