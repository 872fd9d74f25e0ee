import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { events } from '../../db/schema/index.ts';

export interface EventLogEntry {
  workspaceId: string;
  /** The Pipedrive company the event concerns, when only that company's viewers may see it. */
  companyId?: number | null;
  type: string;
  payload: Record<string, unknown>;
}

/**
 * Appends a row to the workspace's event log in the caller's transaction and returns its seq.
 *
 * Live streams read `seq > last seq sent`, so seqs of one workspace must become visible in seq
 * order. A sequence number is taken at insert, not at commit: two transactions could take N and
 * N+1 and commit N+1 first, and a stream reading in between would move past N for good (found by
 * the benchmark with four inbox workers). A transaction-level advisory lock per workspace, taken
 * before the insert and held until commit, makes the next writer of that workspace wait for the
 * commit (or rollback) before it takes its seq. Writers of other workspaces never wait; the lock is
 * the last thing an event-writing transaction takes, so it is held only for its commit.
 */
export async function appendEvent(tx: Tx, entry: EventLogEntry): Promise<number> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`events:${entry.workspaceId}`}, 0))`);
  const [row] = await tx
    .insert(events)
    .values({
      workspaceId: entry.workspaceId,
      companyId: entry.companyId ?? null,
      type: entry.type,
      payload: entry.payload,
    })
    .returning({ seq: events.seq });
  if (row === undefined) throw new Error('events insert returned no row');
  return row.seq;
}
