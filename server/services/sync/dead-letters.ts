import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { chats } from '../../db/schema/index.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import type { Actor } from '../audit/actor.ts';
import { syncChatQueue, syncDeadLetterQueue } from '../../jobs/queues.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { createDeadLetterNotFoundError } from './sync.errors.ts';

/** Most dead letters one listing reads. */
const LIST_LIMIT = 500;

/**
 * Sync jobs that were not retried further (reliability.md F14): a permanent refusal by Pipedrive,
 * or retries exhausted. They wait in the `sync.chat.dead` queue with where they came from; an admin
 * replays one once the cause is fixed (the replay writes "what is there now", so it is safe).
 */
export function createDeadLetters(deps: { db: Db; jobs: JobQueue; audit: AuditLog }) {
  type DeadData = NonNullable<(typeof syncDeadLetterQueue)['dataType']>;

  /** The workspace's dead letters: only jobs about its own chats. */
  async function listFor(workspaceId: string) {
    const jobs = await deps.jobs.boss.findJobs<DeadData>(syncDeadLetterQueue.name, {
      queued: true,
      limit: LIST_LIMIT,
    });
    const chatIds = [...new Set(jobs.map((job) => job.data.chatId).filter((id) => typeof id === 'string'))];
    if (chatIds.length === 0) return [];
    const own = new Set(
      (
        await deps.db
          .select({ id: chats.id })
          .from(chats)
          .where(and(eq(chats.workspaceId, workspaceId), inArray(chats.id, chatIds)))
      ).map((row) => row.id),
    );
    return jobs
      .filter((job) => own.has(job.data.chatId))
      .map((job) => ({
        id: job.id,
        chatId: job.data.chatId,
        reason: job.data.reason ?? 'retries_exhausted',
        error: job.data.error ?? job.sourceOutput ?? null,
        sourceQueue: job.sourceName ?? syncChatQueue.name,
        sourceJobId: job.data.sourceJobId ?? job.sourceId,
        sourceRetryCount: job.data.sourceRetryCount ?? job.sourceRetryCount,
        deadLetteredAt: job.createdOn,
      }));
  }

  return {
    list: listFor,
    /** Sends the chat's sync again and removes the dead letter. */
    async replay(workspaceId: string, deadLetterId: string, actor: Actor): Promise<{ chatId: string }> {
      const entry = (await listFor(workspaceId)).find((candidate) => candidate.id === deadLetterId);
      if (entry === undefined) throw createDeadLetterNotFoundError();
      await deps.jobs.send(syncChatQueue, { chatId: entry.chatId });
      await deps.jobs.boss.deleteJob(syncDeadLetterQueue.name, deadLetterId);
      await deps.audit.record({
        workspaceId,
        actor,
        action: 'sync.replayed',
        subjectType: 'chat',
        subjectId: entry.chatId,
        detail: { deadLetterId, reason: entry.reason },
      });
      return { chatId: entry.chatId };
    },
  };
}

export type DeadLetters = ReturnType<typeof createDeadLetters>;
