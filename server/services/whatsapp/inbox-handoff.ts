import type { Logger } from '../../logger.ts';

/**
 * Inbox rows this process has just committed, processed here at once instead of after a worker
 * fetched their job: at 200 webhooks/s the fetch (the job's NOTIFY, then pg-boss's claim) was ~50 ms
 * of the ~200 ms from webhook to panel (docs/PERFORMANCE.md). The jobs are still inserted with the
 * rows, in the same statement, and stay the durable path; they only start after a grace
 * (`jobStartAfter`), so the workers do not fetch them while the handoff is processing their rows.
 * The handoff processes with `skip locked` and marks rows processed in the transaction that applies
 * them; the job path waits for a row another transaction holds, then skips it if processed. So
 * whatever the handoff fails on, or never gets to (a crash, a shutdown), is processed by its job
 * after the grace, and nothing is processed twice. Active only where this process runs the inbox
 * workers (`start`, from `Runtime.startWorkers`): a web-only instance leaves its rows to the
 * worker processes, their jobs due at once.
 */
export function createInboxHandoff(deps: {
  /** Processes committed rows, skipping any already processed or locked (`InboxProcessor.processHandedOff`). */
  process: (inboxIds: readonly number[]) => Promise<void>;
  logger: Logger;
  /** Transactions running at once (each holds a pooled connection). */
  maxInFlight?: number;
  /** Rows per transaction. */
  maxRows?: number;
  /** While more rows than this wait, new ones are not taken: their jobs are due at once. */
  maxWaiting?: number;
}) {
  const maxInFlight = deps.maxInFlight ?? 2;
  const maxRows = deps.maxRows ?? 100;
  const maxWaiting = deps.maxWaiting ?? 1_000;
  const waiting: number[] = [];
  const running = new Set<Promise<void>>();
  let active = false;

  /** Rows together; if that fails, each alone, so one bad row leaves only itself to its job. */
  async function processBatch(inboxIds: readonly number[]): Promise<void> {
    try {
      await deps.process(inboxIds);
      return;
    } catch (error) {
      if (inboxIds.length === 1) throw error;
    }
    const failures: number[] = [];
    for (const id of inboxIds) await deps.process([id]).catch(() => failures.push(id));
    if (failures.length > 0) throw new Error(`inbox rows ${failures.join(', ')} failed`);
  }

  function pump(): void {
    while (active && running.size < maxInFlight && waiting.length > 0) {
      const inboxIds = waiting.splice(0, maxRows);
      const run: Promise<void> = processBatch(inboxIds)
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
    /**
     * How long the jobs of rows it takes wait before a worker may fetch them (pg-boss `startAfter`):
     * long enough for the handoff to be done with them under load, short for a fallback.
     */
    jobStartAfter: '10 seconds',
    /** Whether it takes the next group's rows (asked before the group's jobs are inserted). */
    accepts(rowCount: number): boolean {
      return active && waiting.length + rowCount <= maxWaiting;
    },
    /** Rows committed with their jobs; processed soon (rows handed after a `stop` are left to the jobs). */
    hand(inboxIds: readonly number[]): void {
      if (!active || inboxIds.length === 0) return;
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
