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
 * Appends rows to the workspaces' event logs in the caller's transaction and returns their seqs, in
 * the order given. One statement, one round trip, however many events.
 *
 * Live streams read `seq > last seq sent`, so seqs of one workspace must become visible in seq
 * order. A sequence number is taken at insert, not at commit: two transactions could take N and
 * N+1 and commit N+1 first, and a stream reading in between would move past N for good (found by
 * the benchmark with four inbox workers). A transaction-level advisory lock per workspace, taken
 * before the rows get their seqs and held until commit, makes the next writer of that workspace
 * wait for the commit (or rollback) before it takes its seq. Writers of other workspaces never
 * wait. The lock serializes a workspace's writers from here to their commit, so callers append
 * their events last, just before committing (the inbox processor does all its other writes first):
 * what the lock then covers is this statement and the commit.
 *
 * The statement takes the locks (every workspace of the batch, in a fixed order, so two batches
 * cannot deadlock) in a materialized CTE that the insert joins through an aggregate: every lock is
 * held before the first row is produced, and `seq`'s default (`nextval`) is evaluated only as rows
 * reach the insert. `event-log-order.test.ts` holds one writer open and shows the next waiting.
 */
export async function appendEvents(tx: Tx, entries: readonly EventLogEntry[]): Promise<number[]> {
  if (entries.length === 0) return [];
  const workspaceIds = [...new Set(entries.map((entry) => entry.workspaceId))].sort();
  const column = <T>(pick: (entry: EventLogEntry) => T) => sql.param(entries.map(pick));
  const result = await tx.execute<{ seq: string | number }>(sql`
    with locks as materialized (
      select pg_advisory_xact_lock(hashtextextended('events:' || w, 0))
        from unnest(${sql.param(workspaceIds)}::text[]) with ordinality as l(w, n)
       order by n
    )
    insert into ${events} (workspace_id, company_id, type, payload)
    select e.workspace_id, e.company_id, e.type, e.payload
      from unnest(
             ${column((entry) => entry.workspaceId)}::uuid[],
             ${column((entry) => entry.companyId ?? null)}::bigint[],
             ${column((entry) => entry.type)}::text[],
             ${column((entry) => JSON.stringify(entry.payload))}::jsonb[]
           ) with ordinality as e(workspace_id, company_id, type, payload, n)
     cross join (select count(*) from locks) as held
     order by e.n
    returning seq`);
  const seqs = result.rows.map((row) => Number(row.seq));
  if (seqs.length !== entries.length)
    throw new Error(`events insert returned ${seqs.length} of ${entries.length} rows`);
  // Rows come back in insert order, which is `order by e.n`: the seqs rise with the entries.
  return seqs;
}

/** Appends one event (see `appendEvents`): take it last in the transaction, just before the commit. */
export async function appendEvent(tx: Tx, entry: EventLogEntry): Promise<number> {
  const [seq] = await appendEvents(tx, [entry]);
  if (seq === undefined) throw new Error('events insert returned no row');
  return seq;
}
