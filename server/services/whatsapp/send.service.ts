import { createHash, randomUUID } from 'node:crypto';
import type { OutgoingMediaKind } from '../../../contracts/whatsapp-media.ts';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import { createChannelsRepository, type TemplateRow } from '../../db/repositories/channels.repository.ts';
import { createConversationsRepository, type MessageRow } from '../../db/repositories/conversations.repository.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { syncChatQueue } from '../../jobs/queues.ts';
import type { Logger } from '../../logger.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { ChannelsService } from './channels.service.ts';
import { publishEvents, recordChatChange, recordChatEvent, type RecordedEvent } from './chat-events.ts';
import { applyPendingStatuses } from './message-status.ts';
import { ProviderError, type Recipient, type SendResult, type WhatsAppProvider } from './provider.ts';
import {
  createChannelInactiveError,
  createChatNotFoundError,
  createSendFailedError,
  createTemplateNotUsableError,
} from './whatsapp.errors.ts';

export type OutgoingContent =
  | { kind: 'text'; text: string; replyTo?: string | undefined }
  | { kind: 'template'; name: string; language: string; components: Record<string, unknown>[] }
  | {
      kind: 'media';
      mediaKind: OutgoingMediaKind;
      bytes: Buffer;
      /** Without parameters, one of the rule's types (`contracts/whatsapp-media.ts`). */
      mimeType: string;
      filename: string;
      caption?: string | undefined;
    };

export interface SendInput {
  workspaceId: string;
  companyId: number | null;
  chatId: string;
  sender: { pipedriveUserId: number | null; memberId: string | null };
  content: OutgoingContent;
}

/**
 * Sending from Parley (product.md §4.6): the message is recorded first (`accepted`, with who sent
 * it), then the provider is called, then the wamid is stored — and statuses that beat the response
 * are applied under the wamid's lock. Every step enqueues `sync.chat` in its transaction.
 */
export function createSendService(deps: {
  db: Db;
  jobs: JobQueue;
  eventBus: EventBus;
  provider: WhatsAppProvider;
  channels: ChannelsService;
  clock: Clock;
  logger: Logger;
  /** Sent media up to this size is kept in Parley's storage too, so panels and notes show it. */
  mediaMaxBytes: number;
}) {
  const { db, jobs } = deps;

  async function announce(recorded: RecordedEvent[]) {
    await publishEvents(deps.eventBus, recorded).catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'could not publish chat events'),
    );
  }

  return {
    async send(input: SendInput): Promise<MessageRow> {
      const conversations = createConversationsRepository(db);
      const chat = await conversations.findChat(input.chatId);
      if (chat === undefined || chat.workspaceId !== input.workspaceId) throw createChatNotFoundError();
      const channel = await deps.channels.accountFor(chat.channelId);
      if (channel === undefined) throw createChannelInactiveError();
      const contact = await conversations.findContactById(chat.contactId);
      const recipient: Recipient | undefined =
        contact?.waId != null
          ? { waId: contact.waId }
          : contact?.businessScopedId != null
            ? { userId: contact.businessScopedId }
            : undefined;
      if (recipient === undefined) throw createChatNotFoundError({ message: 'This chat has no address to send to.' });

      let body: string | null;
      let content: Record<string, unknown> | null = null;
      const outgoing = input.content;
      if (outgoing.kind === 'media') {
        body = outgoing.caption ?? null;
        content = { media: { kind: outgoing.mediaKind, mimeType: outgoing.mimeType, filename: outgoing.filename } };
      } else if (outgoing.kind === 'template') {
        const template = await createChannelsRepository(db).findTemplate(
          chat.channelId,
          outgoing.name,
          outgoing.language,
        );
        if (template === undefined || template.status !== 'APPROVED')
          throw createTemplateNotUsableError({
            message:
              template === undefined
                ? `There is no template "${outgoing.name}" in ${outgoing.language} on this number. Sync the templates if it was just created.`
                : `The template "${outgoing.name}" (${outgoing.language}) is ${template.status.toLowerCase()}, not approved.`,
          });
        body = renderTemplateBody(template, outgoing.components);
        content = {
          template: {
            name: outgoing.name,
            language: outgoing.language,
            components: outgoing.components,
          },
        };
      } else body = outgoing.text;

      const now = deps.clock.now();
      const messageId = randomUUID();
      const keepsBytes = outgoing.kind === 'media' && outgoing.bytes.length <= deps.mediaMaxBytes;
      const { message, recorded } = await db.transaction(async (tx) => {
        const repository = createConversationsRepository(tx);
        const row = await repository.insertMessage(tx, {
          id: messageId,
          workspaceId: chat.workspaceId,
          chatId: chat.id,
          channelId: chat.channelId,
          providerMessageId: null,
          direction: 'outbound',
          type: outgoing.kind === 'media' ? outgoing.mediaKind : outgoing.kind,
          body,
          content,
          media:
            outgoing.kind === 'media'
              ? {
                  mime_type: outgoing.mimeType,
                  filename: outgoing.filename,
                  ...(outgoing.caption === undefined ? {} : { caption: outgoing.caption }),
                  sizeBytes: outgoing.bytes.length,
                  ...(keepsBytes
                    ? { state: 'stored', url: `/api/media/${messageId}` }
                    : { state: 'too_large', reason: `larger than the ${deps.mediaMaxBytes}-byte limit` }),
                }
              : null,
          context:
            input.content.kind === 'text' && input.content.replyTo !== undefined
              ? { replyTo: input.content.replyTo }
              : null,
          status: 'accepted',
          sentByPipedriveUserId: input.sender.pipedriveUserId,
          sentByMemberId: input.sender.memberId,
          sentAt: now,
        });
        if (row === undefined) throw new Error('outbound message insert returned nothing');
        if (outgoing.kind === 'media' && keepsBytes)
          await repository.insertMedia(tx, {
            messageId,
            workspaceId: chat.workspaceId,
            mimeType: outgoing.mimeType,
            filename: outgoing.filename,
            sizeBytes: outgoing.bytes.length,
            sha256: createHash('sha256').update(outgoing.bytes).digest('hex'),
            bytes: outgoing.bytes,
          });
        await repository.touchChat(tx, chat.id, 'outbound', now);
        const event = await recordChatChange(tx, jobs, {
          workspaceId: chat.workspaceId,
          companyId: input.companyId,
          type: 'message.created',
          chatId: chat.id,
          messageId: row.id,
        });
        return { message: row, recorded: [event] };
      });
      await announce(recorded);

      let result: SendResult;
      try {
        if (outgoing.kind === 'media') {
          // Upload first, then send by id (whatsapp-cloud-api.md §1.6: links fail behind Meta's fetch proxy).
          const mediaId = await deps.provider.uploadMedia(channel.account, {
            bytes: outgoing.bytes,
            mimeType: outgoing.mimeType,
            filename: outgoing.filename,
          });
          await createConversationsRepository(db).updateMessage(db, message.id, {
            media: { ...message.media, id: mediaId },
          });
          result = await deps.provider.sendMedia(channel.account, recipient, {
            kind: outgoing.mediaKind,
            mediaId,
            ...(outgoing.caption === undefined ? {} : { caption: outgoing.caption }),
            filename: outgoing.filename,
          });
        } else
          result =
            outgoing.kind === 'text'
              ? await deps.provider.sendText(channel.account, recipient, outgoing.text, outgoing.replyTo)
              : await deps.provider.sendTemplate(channel.account, recipient, outgoing);
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        const failed = await db.transaction(async (tx) => {
          const repository = createConversationsRepository(tx);
          await repository.raiseStatus(tx, message.id, 'failed', {
            code: error.code,
            title: error.title,
            ...(error.detail === undefined ? {} : { detail: error.detail }),
          });
          return recordChatChange(tx, jobs, {
            workspaceId: chat.workspaceId,
            companyId: input.companyId,
            type: 'message.status',
            chatId: chat.id,
            messageId: message.id,
          });
        });
        await announce([failed]);
        throw createSendFailedError({
          message: `WhatsApp did not send the message: ${error.title}${error.detail === undefined ? '' : ` — ${error.detail}`}.`,
          details: { messageId: message.id, providerCode: error.code },
        });
      }

      const stored = await db.transaction(async (tx) => {
        const repository = createConversationsRepository(tx);
        await repository.lockProviderMessage(tx, chat.channelId, result.providerMessageId);
        await repository.updateMessage(tx, message.id, { providerMessageId: result.providerMessageId });
        const updated = { ...message, providerMessageId: result.providerMessageId };
        const moved = await applyPendingStatuses(tx, updated);
        await jobs.send(syncChatQueue, { chatId: chat.id }, { tx });
        const event = moved
          ? [
              await recordChatEvent(tx, {
                workspaceId: chat.workspaceId,
                companyId: input.companyId,
                type: 'message.status',
                chatId: chat.id,
                messageId: message.id,
              }),
            ]
          : [];
        return { event };
      });
      await announce(stored.event);
      return (await conversations.findMessage(message.id)) ?? message;
    },
  };
}

/** The template's body text with its parameters filled in (positional `{{1}}` or named `{{name}}`), for the record. */
export function renderTemplateBody(template: TemplateRow, components: Record<string, unknown>[]): string {
  const bodyDefinition = (template.components as Record<string, unknown>[]).find(
    (component) => String(component['type']).toUpperCase() === 'BODY',
  );
  const text = typeof bodyDefinition?.['text'] === 'string' ? bodyDefinition['text'] : template.name;
  const bodyParameters = components.find((component) => String(component['type']).toLowerCase() === 'body');
  const parameters = Array.isArray(bodyParameters?.['parameters'])
    ? (bodyParameters['parameters'] as Record<string, unknown>[])
    : [];
  const valueOf = (parameter: Record<string, unknown> | undefined) =>
    parameter === undefined ? undefined : typeof parameter['text'] === 'string' ? parameter['text'] : undefined;
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (placeholder, key: string) => {
    const value = /^\d+$/.test(key)
      ? valueOf(parameters[Number(key) - 1])
      : valueOf(parameters.find((parameter) => parameter['parameter_name'] === key));
    return value ?? placeholder;
  });
}
