import type { Tx } from '../../db/client.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { syncChatQueue } from '../../jobs/queues.ts';
import type { EventBus } from '../events/event-bus.ts';
import { appendEvent } from '../events/event-log.ts';

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

/**
 * Writes the event to the `events` log in the caller's transaction (SSE catches up from it by seq);
 * `publishEvents` announces it after the commit, so no instance hears of a row it cannot read yet.
 */
export async function recordChatEvent(tx: Tx, event: ChatEvent): Promise<RecordedEvent> {
  const seq = await appendEvent(tx, {
    workspaceId: event.workspaceId,
    companyId: event.companyId,
    type: event.type,
    payload: { chatId: event.chatId, messageId: event.messageId },
  });
  return { ...event, seq };
}

/**
 * A chat gained a message or a status moved: hands the chat to the sync engine (`sync.chat`) and
 * logs the event, both in the caller's transaction.
 */
export async function recordChatChange(tx: Tx, jobs: JobQueue, event: ChatEvent): Promise<RecordedEvent> {
  await jobs.send(syncChatQueue, { chatId: event.chatId }, { tx });
  return recordChatEvent(tx, event);
}

export async function publishEvents(eventBus: EventBus, recorded: RecordedEvent[]): Promise<void> {
  for (const event of recorded) {
    await eventBus.publish(workspaceEventsTopic(event.workspaceId), {
      seq: event.seq,
      type: event.type,
      chatId: event.chatId,
      messageId: event.messageId,
    });
  }
}
