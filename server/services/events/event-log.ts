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
 * Announces the appended events from the same statement, on a bus that is PostgreSQL's LISTEN/NOTIFY
 * (`EventBus.notifyChannel`): one `pg_notify` per workspace carrying `{ topic, payload: { seq } }`,
 * its highest seq, the envelope `encodeEvent` writes. PostgreSQL delivers a notification at commit
 * and drops it on rollback, so no listener hears of rows it cannot read yet, as when publishing
 * after the commit, but without the pool checkout and round trip that publishing takes then.
 */
export interface InStatementNotify {
  channel: string;
  topicOf: (workspaceId: string) => string;
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
 * With `notify`, the same statement also announces the events (`InStatementNotify`).
 */
export async function appendEvents(
  tx: Tx,
  entries: readonly EventLogEntry[],
  notify?: InStatementNotify,
): Promise<number[]> {
  if (entries.length === 0) return [];
  const workspaceIds = [...new Set(entries.map((entry) => entry.workspaceId))].sort();
  const column = <T>(pick: (entry: EventLogEntry) => T) => sql.param(entries.map(pick));
  const announced =
    notify === undefined
      ? sql``
      : sql`, announced as materialized (
          select pg_notify(${notify.channel}, json_build_object('topic', t.topic, 'payload', json_build_object('seq', max(i.seq)))::text)
            from inserted i
            join unnest(${sql.param(workspaceIds)}::uuid[], ${sql.param(workspaceIds.map(notify.topicOf))}::text[])
                   as t(workspace_id, topic) on t.workspace_id = i.workspace_id
           group by t.topic
        )`;
  const result = await tx.execute<{ seq: string | number }>(sql`
    with locks as materialized (
      select pg_advisory_xact_lock(hashtextextended('events:' || w, 0))
        from unnest(${sql.param(workspaceIds)}::text[]) with ordinality as l(w, n)
       order by n
    ), inserted as (
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
      returning seq, workspace_id
    )${announced}
    select seq from inserted${notify === undefined ? sql`` : sql` cross join (select count(*) from announced) as sent`}
     order by seq`);
  const seqs = result.rows.map((row) => Number(row.seq));
  if (seqs.length !== entries.length)
    throw new Error(`events insert returned ${seqs.length} of ${entries.length} rows`);
  // The rows took their seqs in insert order, which is `order by e.n`: sorted, the seqs are the entries'.
  return seqs;
}

/** Appends one event (see `appendEvents`): take it last in the transaction, just before the commit. */
export async function appendEvent(tx: Tx, entry: EventLogEntry): Promise<number> {
  const [seq] = await appendEvents(tx, [entry]);
  if (seq === undefined) throw new Error('events insert returned no row');
  return seq;
}
