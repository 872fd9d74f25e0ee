import type { Db } from '../../db/client.ts';
import type { inboxEvents } from '../../db/schema/index.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { whatsappInboxQueue } from '../../jobs/queues.ts';
import type { InboxHandoff } from './inbox-handoff.ts';

/** `store_inbox_group` with the payloads unpacked from one JSON array, in order. */
const STORE_GROUP_SQL = `
  select stored, inbox_ids from store_inbox_group(
    $1::text[], $2::text[], $3::uuid[], $4::bigint[], $5::uuid[],
    array(select payload from jsonb_array_elements($6::jsonb) with ordinality as p(payload, position) order by position),
    $7::integer[], $8::integer, $9, $10::jsonb
  )`;

export type InboxRow = typeof inboxEvents.$inferInsert & { provider: string; dedupeKey: string };

interface Waiter {
  rows: InboxRow[];
  resolve(stored: number): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the webhook inbox. Each webhook's rows and its `whatsapp.process-inbox` job must
 * be committed before Meta gets its 200; committing every webhook alone costs a transaction (four
 * round trips and a WAL flush) per request and capped ingest at a few hundred webhooks per second
 * (issue 13's benchmark). Instead, webhooks that arrive while a commit is in flight wait and are
 * written together: one statement inserts every row and one job per webhook that stored something
 * (pg-boss's own insert, run by the `store_inbox_group` function), one commit, then every waiter is
 * answered. Nothing is acknowledged before its commit, so the durability
 * guarantee is unchanged; a failing commit fails every webhook in it (Meta retries them). There is
 * no timer: an idle server commits a lone webhook at once, so batching only happens under load.
 */
export function createInboxWriter(deps: {
  db: Db;
  jobs: JobQueue;
  /** Commits running at once (each holds one pooled connection). */
  maxInFlight?: number;
  /** Rows per commit, bounding the statement and the time its webhooks wait. */
  maxRows?: number;
  /**
   * Where a group's new rows go once committed, when it takes them (inbox-handoff.ts): their jobs
   * are then inserted to start only after its grace, as the fallback they are.
   */
  handoff?: Pick<InboxHandoff, 'accepts' | 'hand' | 'jobStartAfter'>;
}) {
  const maxInFlight = deps.maxInFlight ?? 2;
  const maxRows = deps.maxRows ?? 1_000;
  const waiting: Waiter[] = [];
  let inFlight = 0;

  async function commit(batch: Waiter[]): Promise<void> {
    try {
      const all = batch.flatMap((waiter) => waiter.rows);
      // Which webhook (1-based) each row came from: the statement attributes stored rows to them.
      const webhookOf = batch.flatMap((waiter, index) => waiter.rows.map(() => index + 1));
      // One array parameter per column (unnest), not six parameters per row: building a
      // thousand-row insert through the query builder was a quarter of the ingest CPU profile.
      const column = <T>(pick: (row: InboxRow) => T) => all.map(pick);
      const handoff = deps.handoff?.accepts(all.length) === true ? deps.handoff : undefined;
      const jobInsert = await deps.jobs.prepareInsert(
        whatsappInboxQueue,
        { inboxIds: [] },
        handoff === undefined ? {} : { startAfter: handoff.jobStartAfter },
      );
      // One statement, so one implicit transaction and one round trip (migration 0008 has the
      // function): under load each round trip waits for PostgreSQL to be scheduled, and BEGIN, the
      // rows, the jobs and COMMIT apart were four of them per group. The payloads travel as one JSON
      // array, not a jsonb[] parameter: node-postgres escapes every quote of every element of an
      // array literal (a regex pass over each payload, and longer bytes on the socket). The query goes
      // to the pool without the query builder, whose per-query work showed in the same profile.
      const { rows } = await deps.db.$client.query<{ stored: number[]; inbox_ids: string[] }>(STORE_GROUP_SQL, [
        column((row) => row.provider),
        column((row) => row.dedupeKey),
        column((row) => row.workspaceId ?? null),
        column((row) => row.companyId ?? null),
        column((row) => row.channelId ?? null),
        JSON.stringify(all.map((row) => row.payload)),
        webhookOf,
        batch.length,
        jobInsert.sql,
        JSON.stringify(jobInsert.job),
      ]);
      const stored = rows[0]?.stored ?? [];
      batch.forEach((waiter, index) => waiter.resolve(stored[index] ?? 0));
      handoff?.hand((rows[0]?.inbox_ids ?? []).map(Number));
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }

  function pump(): void {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch: Waiter[] = [];
      let rows = 0;
      while (waiting.length > 0) {
        const next = waiting[0] as Waiter;
        if (batch.length > 0 && rows + next.rows.length > maxRows) break;
        batch.push(next);
        rows += next.rows.length;
        waiting.shift();
      }
      inFlight += 1;
      void commit(batch).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  return {
    /** Stores the rows (duplicates skipped) with their processing job; resolves with how many were new, once committed. */
    write(rows: InboxRow[]): Promise<number> {
      if (rows.length === 0) return Promise.resolve(0);
      return new Promise<number>((resolve, reject) => {
        waiting.push({ rows, resolve, reject });
        pump();
      });
    },
  };
}

export type InboxWriter = ReturnType<typeof createInboxWriter>;
