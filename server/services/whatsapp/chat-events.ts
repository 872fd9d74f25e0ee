import type { Tx } from '../../db/client.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { syncChatQueue } from '../../jobs/queues.ts';
import type { EventBus } from '../events/event-bus.ts';
import { appendEvent, appendEvents, type EventLogEntry } from '../events/event-log.ts';

/** What panels learn about a chat: ids only, the rows stay in the database. */
export interface ChatEvent {
  workspaceId: string;
  companyId: number | null;
  /** `message.media`: its media was stored, or found too large, or failed (the panel re-reads the message). */
  type: 'message.created' | 'message.status' | 'message.media';
  chatId: string;
  messageId: string;
}

/** The event-bus topic of a workspace's chat events. */
export const workspaceEventsTopic = (workspaceId: string) => `workspace:${workspaceId}:events`;

export interface RecordedEvent extends ChatEvent {
  seq: number;
}

const logEntry = (event: ChatEvent): EventLogEntry => ({
  workspaceId: event.workspaceId,
  companyId: event.companyId,
  type: event.type,
  payload: { chatId: event.chatId, messageId: event.messageId },
});

/**
 * Writes the event to the `events` log in the caller's transaction (SSE catches up from it by seq);
 * `publishEvents` announces it after the commit, so no instance hears of a row it cannot read yet.
 */
export async function recordChatEvent(tx: Tx, event: ChatEvent): Promise<RecordedEvent> {
  return { ...event, seq: await appendEvent(tx, logEntry(event)) };
}

/**
 * A chat gained a message or a status moved: hands the chat to the sync engine (`sync.chat`) and
 * logs the event, both in the caller's transaction.
 */
export async function recordChatChange(tx: Tx, jobs: JobQueue, event: ChatEvent): Promise<RecordedEvent> {
  await jobs.send(syncChatQueue, { chatId: event.chatId }, { tx });
  return recordChatEvent(tx, event);
}

/**
 * `recordChatChange` for many changes of one transaction (the inbox processor's batch): one
 * `sync.chat` per chat, in chat order (a stately queue's insert waits for another transaction's
 * uncommitted job of the same chat, so a fixed order keeps two batches from deadlocking), then
 * every event in one statement. Call it last, just before the commit: the event log's workspace
 * lock is held from the events insert to the commit. On a LISTEN/NOTIFY bus the events statement
 * also announces them, delivered at the commit (`announced`); otherwise call `publishEvents` after it.
 */
export async function recordChatChanges(
  tx: Tx,
  jobs: JobQueue,
  eventBus: EventBus,
  changes: readonly ChatEvent[],
): Promise<{ recorded: RecordedEvent[]; announced: boolean }> {
  if (changes.length === 0) return { recorded: [], announced: true };
  const chatIds = [...new Set(changes.map((change) => change.chatId))].sort();
  await jobs.sendMany(
    syncChatQueue,
    chatIds.map((chatId) => ({ chatId })),
    { tx },
  );
  const { notifyChannel } = eventBus;
  const seqs = await appendEvents(
    tx,
    changes.map(logEntry),
    notifyChannel === undefined ? undefined : { channel: notifyChannel, topicOf: workspaceEventsTopic },
  );
  return {
    recorded: changes.map((change, index) => ({ ...change, seq: seqs[index] ?? 0 })),
    announced: notifyChannel !== undefined,
  };
}

/**
 * Announces committed events: one notification per workspace, with its highest seq. Live streams
 * read the rows themselves (`seq > last sent`), so one wake-up covers every event before it, and a
 * batch of the inbox costs one NOTIFY instead of one per message.
 */
export async function publishEvents(eventBus: EventBus, recorded: readonly RecordedEvent[]): Promise<void> {
  const latest = new Map<string, number>();
  for (const event of recorded) latest.set(event.workspaceId, Math.max(latest.get(event.workspaceId) ?? 0, event.seq));
  for (const [workspaceId, seq] of latest) await eventBus.publish(workspaceEventsTopic(workspaceId), { seq });
}
