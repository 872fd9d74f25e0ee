import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import type { ChannelRow } from '../../db/repositories/channels.repository.ts';
import {
  contactAdditions,
  createConversationsRepository,
  pickContact,
  type ChatRow,
  type ContactIdentity,
  type ContactRow,
} from '../../db/repositories/conversations.repository.ts';
import { channels, inboxEvents, type messages } from '../../db/schema/index.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { whatsappMediaQueue, whatsappTemplatesQueue } from '../../jobs/queues.ts';
import type { Logger } from '../../logger.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import type { EventBus } from '../events/event-bus.ts';
import { publishEvents, recordChatChanges, type RecordedEvent } from './chat-events.ts';
import { errorOf, mapInboundMessage, text } from './inbound-message.ts';
import { applyStatusItem, statusOf } from './message-status.ts';
import type { WebhookItem } from './provider.ts';
import { createBatchChanges, incomingMessageOf, type BatchChanges, type IncomingMessage } from './inbox-batch.ts';

type Json = Record<string, unknown>;

type InboxRow = typeof inboxEvents.$inferSelect;

/**
 * Turns stored webhook items into contacts, chats, messages and statuses (issue 10 §3). Each inbox row
 * is processed once, in a transaction with the other rows of its worker's batch (or alone, when the
 * batch failed): the row is locked and marked processed in the transaction that applies it, and
 * every write is idempotent, so a retried job changes nothing twice. Whenever a chat gains a message
 * or a status, `sync.chat` is enqueued in that same transaction.
 */
export function createInboxProcessor(deps: { db: Db; jobs: JobQueue; eventBus: EventBus; logger: Logger }) {
  const { db, jobs } = deps;

  /**
   * The chat of each message in a transaction: looked up for the whole batch at once (one query for
   * the contacts and their chats), created or updated one by one only when new or changed.
   */
  function createChatResolver(tx: Tx) {
    const repository = createConversationsRepository(tx);
    const contacts: ContactRow[] = [];
    const chats: ChatRow[] = [];
    return {
      async prefetch(incoming: readonly { channel: ChannelRow; identity: ContactIdentity }[]) {
        const byWorkspace = Map.groupBy(incoming, (message) => message.channel.workspaceId);
        for (const [workspaceId, messages] of byWorkspace) {
          const found = await repository.findContactsAndChats(
            workspaceId,
            messages.map((message) => message.identity),
            [...new Set(messages.map((message) => message.channel.id))],
          );
          contacts.push(...found.contacts);
          chats.push(...found.chats);
        }
      },
      async chatOf(channel: ChannelRow, identity: ContactIdentity): Promise<ChatRow> {
        const found = pickContact(
          contacts.filter((contact) => contact.workspaceId === channel.workspaceId),
          identity,
        );
        let contact = found;
        if (contact === undefined || Object.keys(contactAdditions(contact, identity)).length > 0) {
          contact = await repository.upsertContact(tx, channel.workspaceId, identity);
          // Ahead of the row it replaces, so the next message of this identity finds the new one.
          contacts.unshift(contact);
        }
        const { id: contactId } = contact;
        let chat = chats.find((row) => row.channelId === channel.id && row.contactId === contactId);
        if (chat === undefined) {
          chat = await repository.upsertChat(tx, {
            workspaceId: channel.workspaceId,
            channelId: channel.id,
            contactId,
            isGroup: identity.groupId !== null,
          });
          chats.push(chat);
        }
        return chat;
      },
    };
  }

  /**
   * Messages of a transaction, stored together: each is mapped and its chat resolved as it comes,
   * and `flush` inserts them in one statement (a wamid stored before is left alone), queues media
   * downloads and records the chat changes, in order. Flushed before any other kind of row, so a
   * status finds a message that came before it in the batch.
   */
  function createMessageWriter(tx: Tx, changes: BatchChanges, chats: ReturnType<typeof createChatResolver>) {
    const pending: { values: typeof messages.$inferInsert & { id: string }; companyId: number | null }[] = [];
    return {
      async add(channel: ChannelRow, companyId: number | null, incoming: IncomingMessage) {
        const { message, direction } = incoming;
        const chat = await chats.chatOf(channel, incoming.identity);
        const mapped = mapInboundMessage(message);
        pending.push({
          companyId,
          values: {
            id: randomUUID(),
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
          },
        });
      },
      async flush() {
        if (pending.length === 0) return;
        const batch = pending.splice(0);
        const companyOf = new Map(batch.map((message) => [message.values.id, message.companyId]));
        const inserted = await createConversationsRepository(tx).insertMessages(
          tx,
          batch.map((message) => message.values),
        );
        for (const row of inserted) {
          changes.touch(row.chatId, row.direction, row.sentAt);
          if (row.media !== null && typeof row.media['id'] === 'string')
            await jobs.send(whatsappMediaQueue, { messageId: row.id }, { tx });
          changes.events.push({
            workspaceId: row.workspaceId,
            companyId: companyOf.get(row.id) ?? null,
            type: 'message.created',
            chatId: row.chatId,
            messageId: row.id,
          });
        }
      },
    };
  }

  async function handleStatus(
    tx: Tx,
    changes: BatchChanges,
    channel: ChannelRow,
    companyId: number | null,
    status: Json,
  ): Promise<void> {
    const wamid = text(status['id']);
    if (wamid === null || statusOf(status['status']) === undefined) return;
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
      return;
    }
    if (!(await applyStatusItem(tx, message, status))) return;
    changes.events.push({
      workspaceId: channel.workspaceId,
      companyId,
      type: 'message.status',
      chatId: message.chatId,
      messageId: message.id,
    });
  }

  /** An inbox row other than a message, in the caller's transaction. */
  async function applyOther(tx: Tx, changes: BatchChanges, row: InboxRow, channel: ChannelRow) {
    const item = row.payload as WebhookItem;
    if (item.kind === 'status') await handleStatus(tx, changes, channel, row.companyId, item.status);
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

  /**
   * Inbox rows in one transaction, in id order (the order their webhooks were stored); returns the
   * events, and whether the transaction announced them (`recordChatChanges`). Rows already
   * processed are skipped. A row another transaction holds is waited for, then skipped if that
   * one processed it (its job must not finish before the row is processed), or skipped at once
   * with `skipLocked` (the handoff, which leaves such rows to their jobs). The writes that every
   * other writer of the workspace waits for come last, in a fixed order: the chats' clocks (chat
   * rows, by id), `sync.chat` jobs (by chat), then the events (the workspace's event-log lock, held
   * until the commit). So a batch holds those locks for three statements and its commit, not for
   * the whole batch.
   */
  async function processRows(
    inboxIds: readonly number[],
    skipLocked: boolean,
  ): Promise<{ recorded: RecordedEvent[]; announced: boolean }> {
    return db.transaction(async (tx) => {
      // Each row with its channel (one query); only the inbox rows are locked.
      const found = await tx
        .select({ row: inboxEvents, channel: channels })
        .from(inboxEvents)
        .leftJoin(channels, eq(channels.id, inboxEvents.channelId))
        .where(and(inArray(inboxEvents.id, [...inboxIds]), isNull(inboxEvents.processedAt)))
        .orderBy(asc(inboxEvents.id))
        .for('update', skipLocked ? { of: inboxEvents, skipLocked: true } : { of: inboxEvents });
      if (found.length === 0) return { recorded: [], announced: true };
      const rows = found.map(({ row }) => row);
      const work = found.flatMap(({ row, channel }) =>
        channel === null ? [] : [{ row, channel, incoming: incomingMessageOf(row.payload as WebhookItem) }],
      );
      const changes = createBatchChanges();
      const chats = createChatResolver(tx);
      await chats.prefetch(
        work.flatMap(({ channel, incoming }) =>
          incoming === undefined ? [] : [{ channel, identity: incoming.identity }],
        ),
      );
      const messageWriter = createMessageWriter(tx, changes, chats);
      for (const { row, channel, incoming } of work) {
        if (incoming !== undefined) await messageWriter.add(channel, row.companyId, incoming);
        else {
          await messageWriter.flush();
          await applyOther(tx, changes, row, channel);
        }
      }
      await messageWriter.flush();
      await tx
        .update(inboxEvents)
        .set({ processedAt: new Date(), attempts: sql`${inboxEvents.attempts} + 1`, lastError: null })
        .where(
          inArray(
            inboxEvents.id,
            rows.map((row) => row.id),
          ),
        );
      await createConversationsRepository(tx).touchChats(tx, changes.touches());
      return recordChatChanges(tx, jobs, deps.eventBus, changes.events);
    });
  }

  /**
   * Processes rows together; their events are announced at the commit (a LISTEN/NOTIFY bus) or
   * just after it.
   */
  async function processTogether(inboxIds: readonly number[], skipLocked = false): Promise<void> {
    const { recorded, announced } = await processRows(inboxIds, skipLocked);
    if (announced) return;
    await publishEvents(deps.eventBus, recorded).catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'could not publish chat events (panels re-read on reconnect)'),
    );
  }

  /** Each row in its own transaction; the failures recorded on their rows; throws the first failure. */
  async function processAlone(inboxIds: readonly number[]): Promise<void> {
    let failure: Error | undefined;
    for (const id of inboxIds) {
      try {
        await processTogether([id]);
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
  }

  /**
   * Every job's rows in one transaction (a commit, a NOTIFY and one event-log lock per batch instead
   * of per row). If that fails, nothing of it was written: each job's rows are then processed alone,
   * row by row, so one bad row fails its own job only and the others still succeed.
   */
  async function processJobs(jobs: readonly (readonly number[])[]): Promise<(Error | undefined)[]> {
    const all = jobs.flat();
    try {
      await processTogether(all);
      return jobs.map(() => undefined);
    } catch (error) {
      if (all.length > 1)
        deps.logger.warn(
          { err: error, inboxIds: all },
          'a batch of WhatsApp inbox rows failed; processing them one by one',
        );
      const outcomes: (Error | undefined)[] = [];
      for (const inboxIds of jobs) {
        outcomes.push(
          await processAlone(inboxIds).then(
            () => undefined,
            (failure: unknown) => (failure instanceof Error ? failure : new Error(String(failure))),
          ),
        );
      }
      return outcomes;
    }
  }

  return {
    /** Processes the rows (skipping any already processed); throws after trying all if one failed. */
    async process(inboxIds: number[]): Promise<void> {
      const [failure] = await processJobs([inboxIds]);
      if (failure !== undefined) throw failure;
    },
    /**
     * The rows of several jobs (a worker's fetched batch), together; what each job's outcome is, in
     * order: undefined when its rows were processed, else the first error among them.
     */
    processJobs,
    /**
     * Rows just committed by this process (the handoff, inbox-handoff.ts), together, skipping any
     * another transaction holds; throws if that failed, leaving every row to its job.
     */
    processHandedOff: (inboxIds: readonly number[]) => processTogether(inboxIds, true),
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
