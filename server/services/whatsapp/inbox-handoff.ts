import type { Logger } from '../../logger.ts';

/**
 * Inbox rows this process has just committed, processed here at once instead of after a worker
 * fetched their job: at 200 webhooks/s the fetch (the job's NOTIFY, then pg-boss's claim) was ~50 ms
 * of the ~200 ms from webhook to panel (docs/PERFORMANCE.md). The jobs are still inserted with the
 * rows and stay the durable path: this processes with `skip locked` and marks rows processed in
 * the transaction that applies them, and the job path waits for a row another transaction holds,
 * then skips it if processed. So whatever this fails on, drops (a full queue) or never gets to (a
 * crash, a shutdown) is processed by its job, and nothing is processed twice. Active only where
 * this process runs the inbox workers (`start`, from `Runtime.startWorkers`): a web-only instance
 * leaves its rows to the worker processes.
 */
export function createInboxHandoff(deps: {
  /** Processes committed rows, skipping any already processed or locked (`InboxProcessor.processHandedOff`). */
  process: (inboxIds: readonly number[]) => Promise<void>;
  logger: Logger;
  /** Transactions running at once (each holds a pooled connection), like the inbox workers. */
  maxInFlight?: number;
  /** Rows per transaction. */
  maxRows?: number;
  /** Rows waiting beyond this are left to their jobs: under a backlog the workers batch better. */
  maxWaiting?: number;
}) {
  const maxInFlight = deps.maxInFlight ?? 2;
  const maxRows = deps.maxRows ?? 100;
  const maxWaiting = deps.maxWaiting ?? 1_000;
  const waiting: number[] = [];
  const running = new Set<Promise<void>>();
  let active = false;

  function pump(): void {
    while (active && running.size < maxInFlight && waiting.length > 0) {
      const inboxIds = waiting.splice(0, maxRows);
      const run: Promise<void> = deps
        .process(inboxIds)
        .catch((error: unknown) =>
          deps.logger.warn({ err: error, inboxIds }, 'handed-off inbox rows failed; their jobs process them'),
        )
        .finally(() => {
          running.delete(run);
          pump();
        });
      running.add(run);
    }
  }

  return {
    /** Rows committed with their jobs; processed soon, or left to the jobs when inactive or full. */
    hand(inboxIds: readonly number[]): void {
      if (!active || inboxIds.length === 0 || waiting.length + inboxIds.length > maxWaiting) return;
      waiting.push(...inboxIds);
      pump();
    },
    start(): void {
      active = true;
    },
    /** Stops taking rows (those waiting are left to their jobs) and waits for the running ones. */
    async stop(): Promise<void> {
      active = false;
      waiting.length = 0;
      await Promise.allSettled([...running]);
    },
  };
}

export type InboxHandoff = ReturnType<typeof createInboxHandoff>;
