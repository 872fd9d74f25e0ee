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

export interface JobRegistration<TData extends object = object> {
  queue: QueueDefinition<TData>;
  handler: JobHandler<TData>;
  /** Jobs of this queue run at most this many at a time per process. */
  concurrency?: number;
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
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 1;
  for (const { queue, handler, concurrency } of options.registrations) {
    const id = await jobs.boss.work<object>(
      queue.name,
      {
        batchSize: 1,
        localConcurrency: concurrency ?? 1,
        pollingIntervalSeconds,
        // With LISTEN/NOTIFY on, pg-boss polls only every 30 s by default and counts on NOTIFY, which
        // fires when a job is inserted — not when a delayed one becomes due. sync.chat always starts
        // 2 s late (coalescing) and every retry backs off, so those jobs waited up to 30 s each
        // (found by the chaos run, chaos/README.md). Polling keeps its normal pace; NOTIFY still wakes
        // a worker at once for jobs due now.
        notifyPollingIntervalSeconds: pollingIntervalSeconds,
        // pg-boss waits a polling interval after every fetch, even a full one: one job per second per
        // queue and process (two per second for sync.chat) however long the backlog. The chaos run's
        // drain crawled at ~6 inbox rows/s. With a backlog (pg-boss's cached count of ready jobs), the
        // worker fetches again at once; an empty fetch returns it to polling, so it never spins.
        burstWhenReadyExceeds: 1,
      },
      async ([job]) => {
        if (job === undefined) return;
        const jobLogger = logger.child({ queue: queue.name, jobId: job.id, retryCount: job.retryCount });
        try {
          await handler(job.data, { jobId: job.id, retryCount: job.retryCount, signal: job.signal, logger: jobLogger });
        } catch (error) {
          jobLogger.warn({ err: error }, 'job failed; pg-boss retries it per the queue policy');
          throw error;
        }
      },
    );
    workerIds.push({ name: queue.name, id });
  }
  logger.info({ queues: workerIds.map((w) => w.name) }, 'workers started');
  return {
    async stop() {
      await Promise.all(workerIds.map(({ name, id }) => jobs.boss.offWork(name, { id, wait: true })));
    },
  };
}
