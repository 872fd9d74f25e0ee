import type { JobResult } from 'pg-boss';
import type { Logger } from '../logger.ts';
import type { JobQueue, QueueDefinition } from './job-queue.ts';

export interface JobContext {
  jobId: string;
  /** 0 on the first attempt. */
  retryCount: number;
  /** Aborted when the job expires or the worker stops: long work should stop and let it retry. */
  signal: AbortSignal;
  logger: Logger;
}

export type JobHandler<TData extends object> = (data: TData, context: JobContext) => Promise<void>;

/**
 * Handles a fetched batch at once (e.g. in one transaction) and says how each job ended, in order:
 * undefined for done, an error for failed (retried per the queue's policy, alone).
 */
export type BatchJobHandler<TData extends object> = (
  jobs: readonly { id: string; data: TData }[],
  context: { logger: Logger },
) => Promise<(Error | undefined)[]>;

export interface JobRegistration<TData extends object = object> {
  queue: QueueDefinition<TData>;
  handler: JobHandler<TData>;
  /** Jobs of this queue run at most this many at a time per process. */
  concurrency?: number;
  /**
   * Jobs each worker fetches at once (default 1), then runs one after another, each succeeding or
   * failing on its own. Above 1 a worker refetches at once while fetches come back full, instead of
   * waiting for the next poll after every job: for many short jobs (the webhook inbox). Keep 1 for
   * jobs that may wait on Pipedrive, or the last of a batch would wait behind the first.
   */
  batchSize?: number;
  /** With `batchSize` above 1: takes the whole batch instead of `handler` once per job. */
  batchHandler?: BatchJobHandler<TData>;
}

export function registerJob<TData extends object>(registration: JobRegistration<TData>): JobRegistration {
  return registration as unknown as JobRegistration;
}

export interface WorkerRunner {
  stop(): Promise<void>;
}

/**
 * Runs job handlers in this process. Used in-process by `npm start` (RUN_WORKERS=true) and by
 * `npm run worker` for dedicated worker processes; the handlers are the same either way.
 */
export async function startWorkers(options: {
  jobs: JobQueue;
  registrations: readonly JobRegistration[];
  logger: Logger;
  pollingIntervalSeconds?: number;
}): Promise<WorkerRunner> {
  const { jobs, logger } = options;
  const workerIds: { name: string; id: string }[] = [];
  for (const { queue, handler, batchHandler, concurrency, batchSize } of options.registrations) {
    const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 1;
    const polling = {
      localConcurrency: concurrency ?? 1,
      pollingIntervalSeconds,
      // NOTIFY wakes a worker when a job is sent, not when a delayed one (sync.chat's 2-second
      // coalescing start, every retry's backoff) becomes due: with pg-boss's 30-second default
      // backstop, each delayed job waited up to 30 s on PostgreSQL (found by both the chaos run and
      // the live-latency benchmark). Poll as often as without NOTIFY; NOTIFY still skips the wait
      // for jobs that are due at once.
      notifyPollingIntervalSeconds: Math.max(0.5, pollingIntervalSeconds),
      // pg-boss waits a polling interval after every fetch, even a full one: one job per second per
      // queue and process however long the backlog (the chaos run's drain crawled at ~6 inbox
      // rows/s). With a backlog (pg-boss's cached count of ready jobs) the worker fetches again at
      // once; an empty fetch returns it to polling, so it never spins.
      burstWhenReadyExceeds: 1,
    };
    const run = async (job: { id: string; data: object; retryCount: number; signal: AbortSignal }) => {
      const jobLogger = logger.child({ queue: queue.name, jobId: job.id, retryCount: job.retryCount });
      try {
        await handler(job.data, { jobId: job.id, retryCount: job.retryCount, signal: job.signal, logger: jobLogger });
      } catch (error) {
        jobLogger.warn({ err: error }, 'job failed; pg-boss retries it per the queue policy');
        throw error;
      }
    };
    const runBatch = async (
      handle: BatchJobHandler<object>,
      batch: { id: string; data: object }[],
    ): Promise<JobResult[]> => {
      const batchLogger = logger.child({ queue: queue.name, jobIds: batch.map((job) => job.id) });
      const outcomes = await handle(batch, { logger: batchLogger }).catch((error: unknown) =>
        batch.map(() => (error instanceof Error ? error : new Error(String(error)))),
      );
      return batch.map((job, index) => {
        const error = outcomes[index];
        if (error === undefined) return { id: job.id, status: 'completed' };
        batchLogger.warn({ err: error, jobId: job.id }, 'job failed; pg-boss retries it per the queue policy');
        return { id: job.id, status: 'failed', output: { message: error.message } };
      });
    };
    const id =
      (batchSize ?? 1) > 1
        ? await jobs.boss.work<object>(
            queue.name,
            { ...polling, batchSize: batchSize ?? 1, burstWhenBatchFull: true, perJobResults: true },
            async (batch) => {
              if (batchHandler !== undefined) return runBatch(batchHandler, batch);
              const results: JobResult[] = [];
              for (const job of batch) {
                try {
                  await run(job);
                  results.push({ id: job.id, status: 'completed' });
                } catch (error) {
                  results.push({
                    id: job.id,
                    status: 'failed',
                    output: { message: error instanceof Error ? error.message : String(error) },
                  });
                }
              }
              return results;
            },
          )
        : await jobs.boss.work<object>(queue.name, { ...polling, batchSize: 1 }, async ([job]) => {
            if (job !== undefined) await run(job);
          });
    workerIds.push({ name: queue.name, id });
  }
  logger.info({ queues: workerIds.map((w) => w.name) }, 'workers started');
  return {
    async stop() {
      await Promise.all(workerIds.map(({ name, id }) => jobs.boss.offWork(name, { id, wait: true })));
    },
  };
}
