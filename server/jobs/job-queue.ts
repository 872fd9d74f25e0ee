import { sql } from 'drizzle-orm';
import { fromDrizzle, PgBoss, type Queue, type SendOptions } from 'pg-boss';
import type { Tx } from '../db/client.ts';
import type { Logger } from '../logger.ts';

/** A durable queue: its name and the retry, expiry and dead-letter rules of its jobs. */
export interface QueueDefinition<TData extends object = object> {
  name: string;
  options: Omit<Queue, 'name'>;
  /**
   * Send options every job of this queue gets (e.g. its `singletonKey`), so each sender cannot
   * forget them; options given to `send` win.
   */
  sendDefaults?(data: TData): SendOptions;
  /** Phantom field that carries the job data type from definition to `send` and handler. */
  readonly dataType?: TData;
}

export function defineQueue<TData extends object>(
  name: string,
  options: Omit<Queue, 'name'> = {},
  sendDefaults?: (data: TData) => SendOptions,
): QueueDefinition<TData> {
  return sendDefaults === undefined ? { name, options } : { name, options, sendDefaults };
}

export interface JobQueue {
  readonly boss: PgBoss;
  readonly notifyEnabled: boolean;
  start(): Promise<void>;
  /**
   * Enqueues a job. With `tx`, the job is inserted in that transaction: it exists if and only if
   * the transaction commits (the outbox property the durable inbox relies on).
   */
  send<TData extends object>(
    queue: QueueDefinition<TData>,
    data: TData,
    options?: SendOptions & { tx?: Tx },
  ): Promise<string | null>;
  /**
   * Enqueues several jobs of one queue with one statement (the queue's `sendDefaults` applied to
   * each); with `tx`, inside that transaction, like `send`.
   */
  sendMany<TData extends object>(
    queue: QueueDefinition<TData>,
    data: readonly TData[],
    options?: { tx?: Tx },
  ): Promise<void>;
  /**
   * pg-boss's own statement for inserting jobs of `queue` (its one parameter, `$1`, is the JSON
   * array of jobs) and one job of that array carrying `data`, the queue's `sendDefaults` applied;
   * nothing is inserted. For a caller that builds the array in SQL and runs the statement in the
   * same round trip as its own writes (the inbox's group commit), so the queue's table, policy and
   * NOTIFY stay pg-boss's. `startAfter` defers the jobs (pg-boss's own option, e.g. '10 seconds').
   */
  prepareInsert<TData extends object>(
    queue: QueueDefinition<TData>,
    data: TData,
    options?: Pick<SendOptions, 'startAfter'>,
  ): Promise<PreparedJobInsert>;
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
  /**
   * Whether another job of `queue` with this singleton key waits to be retried. A `stately` queue
   * holds one job per state and key, so when one is already in `retry`, pg-boss cannot queue a
   * second retry: a failing job would go straight to the dead letters (found by the chaos run).
   */
  hasRetryWaiting(queue: QueueDefinition, singletonKey: string, exceptJobId: string): Promise<boolean>;
}

export interface PreparedJobInsert {
  sql: string;
  job: Record<string, unknown>;
}

export interface JobQueueOptions {
  connectionString: string;
  logger: Logger;
  queues: readonly QueueDefinition[];
  /** Recurring jobs (cron expressions in UTC); pg-boss runs each once per slot across instances. */
  schedules?: readonly { queue: QueueDefinition; cron: string }[];
  /** LISTEN/NOTIFY wake-ups; off for the embedded database, where NOTIFY does not cross connections. */
  useListenNotify: boolean;
  poolMax?: number;
}

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { logger } = options;
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: 'pgboss',
    max: options.poolMax ?? 4,
    application_name: 'parley-jobs',
    useListenNotify: options.useListenNotify,
    // How soon a job of a dead worker is noticed (its heartbeat stale, queues.ts HEARTBEAT_SECONDS):
    // the supervisor fails stale jobs of a queue once per monitor interval; pg-boss's defaults are
    // 60 s each. One instance runs each pass (a claim in the queue table).
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 10,
    // How fresh each process's count of ready jobs is: workers fetch back to back while it shows a
    // backlog (worker-runner.ts). pg-boss's default is 60 s.
    queueCacheIntervalSeconds: 5,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  boss.on('warning', (warning) => logger.warn({ warning }, 'job queue warning'));

  return {
    boss,
    notifyEnabled: options.useListenNotify,
    async start() {
      await boss.start();
      const existing = new Map((await boss.getQueues()).map((queue) => [queue.name, queue]));
      // A queue may only name a dead-letter queue that already exists, so those come first.
      const ordered = [
        ...options.queues.filter((queue) => queue.options.deadLetter === undefined),
        ...options.queues.filter((queue) => queue.options.deadLetter !== undefined),
      ];
      for (const queue of ordered) {
        const queueOptions = { ...queue.options, ...(options.useListenNotify ? { notify: true } : {}) };
        const current = existing.get(queue.name);
        if (current === undefined) await boss.createQueue(queue.name, queueOptions);
        // Every start used to update every queue; over the embedded database's single session that
        // was a second of `npm start` (issue 13's start benchmark). Only what differs is written.
        else if (!sameOptions(current, withoutCreateOnly(queueOptions)))
          await boss.updateQueue(queue.name, withoutCreateOnly(queueOptions));
      }
      for (const { queue, cron } of options.schedules ?? []) {
        await boss.schedule(queue.name, cron, { reason: 'schedule' }, { tz: 'UTC' });
      }
    },
    async send(queue, data, sendOptions = {}) {
      const { tx, ...given } = sendOptions;
      const rest = { ...queue.sendDefaults?.(data), ...given };
      return boss.send(queue.name, data, tx === undefined ? rest : { ...rest, db: fromDrizzle(tx, sql) });
    },
    async hasRetryWaiting(queue, singletonKey, exceptJobId) {
      const queued = await boss.findJobs(queue.name, { key: singletonKey, queued: true });
      return queued.some((job) => job.state === 'retry' && job.id !== exceptJobId);
    },
    async sendMany(queue, data, sendOptions = {}) {
      if (data.length === 0) return;
      const jobs = data.map((item) => ({ ...queue.sendDefaults?.(item), data: item }));
      await boss.insert(queue.name, jobs, sendOptions.tx === undefined ? {} : { db: fromDrizzle(sendOptions.tx, sql) });
    },
    async prepareInsert(queue, data, insertOptions = {}) {
      const statements: { sql: string; values: unknown[] }[] = [];
      // pg-boss's insert, run against a connection that only records what it was asked to run.
      const recorder = {
        executeSql(text: string, values: unknown[] = []) {
          statements.push({ sql: text, values });
          return Promise.resolve({ rows: [] });
        },
      };
      await boss.insert(queue.name, [{ ...queue.sendDefaults?.(data), ...insertOptions, data }], { db: recorder });
      const [statement] = statements;
      const jobs: unknown = typeof statement?.values[0] === 'string' ? JSON.parse(statement.values[0]) : undefined;
      // Fail loudly should a pg-boss upgrade change the shape this relies on (one statement, $1 = the jobs).
      if (statements.length !== 1 || statement?.values.length !== 1 || !Array.isArray(jobs) || jobs.length !== 1)
        throw new Error(
          `pg-boss's insert into ${queue.name} is no longer one statement with the jobs as its one parameter`,
        );
      // The template is copied once per job: an id in it (pg-boss sets one when its test spies are
      // on) would make every copy the same job, so each leaves it to the insert's gen_random_uuid().
      const { id: _id, ...job } = jobs[0] as Record<string, unknown>;
      return { sql: statement.sql, job };
    },
    async stop(stopOptions = {}) {
      await boss.stop({
        graceful: stopOptions.graceful ?? true,
        timeout: stopOptions.timeoutMs ?? 10_000,
        close: true,
      });
    },
  };
}

/** Whether the stored queue already has every one of these options (absent options are not compared). */
function sameOptions(stored: object, wanted: object): boolean {
  return Object.entries(wanted).every(
    ([key, value]) => JSON.stringify((stored as Record<string, unknown>)[key]) === JSON.stringify(value),
  );
}

/**
 * Options that can only be set when a queue is created (pg-boss 12 updates the rest, so an existing
 * install picks up e.g. new heartbeats or retry limits at its next start).
 */
function withoutCreateOnly(options: Omit<Queue, 'name'>) {
  const { policy: _policy, partition: _partition, ...rest } = options;
  return rest;
}
