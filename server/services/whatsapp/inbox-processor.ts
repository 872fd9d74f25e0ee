import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { createChannelsRepository, type ChannelRow } from '../../db/repositories/channels.repository.ts';
import { createConversationsRepository, type ContactIdentity } from '../../db/repositories/conversations.repository.ts';
import { inboxEvents } from '../../db/schema/index.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { whatsappMediaQueue, whatsappTemplatesQueue } from '../../jobs/queues.ts';
import type { Logger } from '../../logger.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import type { EventBus } from '../events/event-bus.ts';
import { publishEvents, recordChatChange, type RecordedEvent } from './chat-events.ts';
import { errorOf, mapInboundMessage } from './inbound-message.ts';
import { applyStatusItem, statusOf } from './message-status.ts';
import type { WebhookItem } from './provider.ts';
import { e164FromWaId } from './wa-id.ts';

type Json = Record<string, unknown>;
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Turns stored webhook items into contacts, chats, messages and statuses (issue 10 §3). Each inbox row
 * is processed in its own transaction, once: the row is locked and marked processed in the transaction
 * that applies it, and every write is idempotent, so a retried job changes nothing twice. Whenever a
 * chat gains a message or a status, `sync.chat` is enqueued in that same transaction.
 */
export function createInboxProcessor(deps: { db: Db; jobs: JobQueue; eventBus: EventBus; logger: Logger }) {
  const { db, jobs } = deps;

  /**
   * Stores one message of a chat (contact, chat and message upserted; a wamid stored before is left
   * alone), queues its media download, and records the chat change for sync and panels.
   */
  async function storeMessage(
    tx: Tx,
    channel: ChannelRow,
    companyId: number | null,
    input: {
      identity: ContactIdentity;
      message: Json;
      direction: 'inbound' | 'outbound';
    },
  ) {
    const repository = createConversationsRepository(tx);
    const { message, direction } = input;
    const contact = await repository.upsertContact(tx, channel.workspaceId, input.identity);
    const chat = await repository.upsertChat(tx, {
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      contactId: contact.id,
      isGroup: input.identity.groupId !== null,
    });
    const mapped = mapInboundMessage(message);
    const row = await repository.insertMessage(tx, {
      workspaceId: channel.workspaceId,
      chatId: chat.id,
      channelId: channel.id,
      providerMessageId: text(message['id']),
      direction,
      type: mapped.type,
      body: mapped.body,
      media: mapped.media,
      context: mapped.context,
      content: mapped.content,
      // What the customer sent was received; what the business typed on its phone is already sent.
      status: direction === 'inbound' ? 'received' : 'sent',
      error: mapped.error,
      sentAt: mapped.sentAt,
    });
    if (row === undefined) return []; // the same wamid was stored before (a redelivery under another key)
    await repository.touchChat(tx, chat.id, direction, mapped.sentAt);
    if (mapped.media !== null && typeof mapped.media['id'] === 'string')
      await jobs.send(whatsappMediaQueue, { messageId: row.id }, { tx });
    return [
      await recordChatChange(tx, jobs, {
        workspaceId: channel.workspaceId,
        companyId,
        type: 'message.created',
        chatId: chat.id,
        messageId: row.id,
      }),
    ];
  }

  /** What a customer (or a group member) sent. */
  function handleMessage(
    tx: Tx,
    channel: ChannelRow,
    companyId: number | null,
    item: Extract<WebhookItem, { kind: 'message' }>,
  ) {
    const { message } = item;
    const contact = item.contact ?? {};
    const groupId = text(message['group_id']);
    const waId = text(contact['wa_id']) ?? text(message['from']);
    const userId = text(message['from_user_id']) ?? text(contact['user_id']) ?? text(message['user_id']);
    const profile = isObject(contact['profile']) ? text(contact['profile']['name']) : null;
    // In a group, the chat belongs to the group; the author is kept on the message (context.participant).
    const identity =
      groupId === null
        ? { waId, businessScopedId: userId, e164: e164FromWaId(waId), groupId: null, profileName: profile }
        : { waId: null, businessScopedId: null, e164: null, groupId, profileName: null };
    return storeMessage(tx, channel, companyId, { identity, message, direction: 'inbound' });
  }

  /**
   * What the business typed in the WhatsApp Business app (coexistence echo): an outbound message of
   * the customer's chat, so the panel and the day's note show both sides.
   */
  function handleEcho(tx: Tx, channel: ChannelRow, companyId: number | null, message: Json) {
    const waId = text(message['to']);
    const identity = {
      waId,
      businessScopedId: text(message['to_user_id']),
      e164: e164FromWaId(waId),
      groupId: null,
      profileName: null,
    };
    return storeMessage(tx, channel, companyId, { identity, message, direction: 'outbound' });
  }

  async function handleStatus(tx: Tx, channel: ChannelRow, companyId: number | null, status: Json) {
    const wamid = text(status['id']);
    if (wamid === null || statusOf(status['status']) === undefined) return [];
    const repository = createConversationsRepository(tx);
    await repository.lockProviderMessage(tx, channel.id, wamid);
    const message = await repository.findByProviderId(channel.id, wamid);
    if (message === undefined) {
      // The message is not stored yet (the send has not returned, or it arrives later): keep the status.
      await repository.keepPendingStatus(tx, {
        channelId: channel.id,
        providerMessageId: wamid,
        status: String(status['status']),
        payload: status,
      });
      return [];
    }
    if (!(await applyStatusItem(tx, message, status))) return [];
    return [
      await recordChatChange(tx, jobs, {
        workspaceId: channel.workspaceId,
        companyId,
        type: 'message.status',
        chatId: message.chatId,
        messageId: message.id,
      }),
    ];
  }

  /** One inbox row in one transaction; returns the events to announce after the commit. */
  async function processRow(inboxId: number): Promise<RecordedEvent[]> {
    return db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(inboxEvents)
        .where(and(eq(inboxEvents.id, inboxId), isNull(inboxEvents.processedAt)))
        .for('update', { skipLocked: true });
      if (row === undefined || row.channelId === null) return [];
      const channel = await createChannelsRepository(tx).findById(row.channelId);
      const item = row.payload as WebhookItem;
      let recorded: RecordedEvent[] = [];
      if (channel !== undefined) {
        if (item.kind === 'message') recorded = await handleMessage(tx, channel, row.companyId, item);
        else if (item.kind === 'echo') recorded = await handleEcho(tx, channel, row.companyId, item.message);
        else if (item.kind === 'status') recorded = await handleStatus(tx, channel, row.companyId, item.status);
        else if (item.kind === 'template_status')
          await jobs.send(whatsappTemplatesQueue, { channelId: channel.id, reason: 'webhook' }, { tx });
        else if (item.kind === 'error')
          await createAuditLog(tx).record({
            workspaceId: channel.workspaceId,
            actor: 'system',
            action: 'whatsapp.webhook_error',
            subjectType: 'channel',
            subjectId: channel.id,
            detail: { error: errorOf(item.error) },
          });
      }
      await tx
        .update(inboxEvents)
        .set({ processedAt: new Date(), attempts: sql`${inboxEvents.attempts} + 1`, lastError: null })
        .where(eq(inboxEvents.id, row.id));
      return recorded;
    });
  }

  return {
    /** Processes the rows (skipping any already processed); throws after trying all if one failed. */
    async process(inboxIds: number[]): Promise<void> {
      let failure: Error | undefined;
      for (const id of inboxIds) {
        try {
          const recorded = await processRow(id);
          await publishEvents(deps.eventBus, recorded).catch((error: unknown) =>
            deps.logger.warn({ err: error }, 'could not publish chat events (panels re-read on reconnect)'),
          );
        } catch (error) {
          failure ??= error instanceof Error ? error : new Error(String(error));
          deps.logger.error({ err: error, inboxId: id }, 'processing a WhatsApp inbox row failed');
          await db
            .update(inboxEvents)
            .set({ attempts: sql`${inboxEvents.attempts} + 1`, lastError: String(error).slice(0, 500) })
            .where(eq(inboxEvents.id, id));
        }
      }
      if (failure !== undefined) throw failure;
    },
    /** Rows never processed (e.g. for a health view or a manual replay). */
    async unprocessedIds(limit = 500): Promise<number[]> {
      const rows = await db
        .select({ id: inboxEvents.id })
        .from(inboxEvents)
        .where(and(isNull(inboxEvents.processedAt), inArray(inboxEvents.provider, ['whatsapp_cloud'])))
        .limit(limit);
      return rows.map((row) => row.id);
    },
  };
}

export type InboxProcessor = ReturnType<typeof createInboxProcessor>;
