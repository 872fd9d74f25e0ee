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
  | { kind: 'template'; name: string; language: string; components: Record<string, unknown>[] };

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

      let body: string;
      let content: Record<string, unknown> | null = null;
      if (input.content.kind === 'template') {
        const template = await createChannelsRepository(db).findTemplate(
          chat.channelId,
          input.content.name,
          input.content.language,
        );
        if (template === undefined || template.status !== 'APPROVED')
          throw createTemplateNotUsableError({
            message:
              template === undefined
                ? `There is no template "${input.content.name}" in ${input.content.language} on this number. Sync the templates if it was just created.`
                : `The template "${input.content.name}" (${input.content.language}) is ${template.status.toLowerCase()}, not approved.`,
          });
        body = renderTemplateBody(template, input.content.components);
        content = {
          template: {
            name: input.content.name,
            language: input.content.language,
            components: input.content.components,
          },
        };
      } else body = input.content.text;

      const now = deps.clock.now();
      const { message, recorded } = await db.transaction(async (tx) => {
        const repository = createConversationsRepository(tx);
        const row = await repository.insertMessage(tx, {
          workspaceId: chat.workspaceId,
          chatId: chat.id,
          channelId: chat.channelId,
          providerMessageId: null,
          direction: 'outbound',
          type: input.content.kind,
          body,
          content,
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
        result =
          input.content.kind === 'text'
            ? await deps.provider.sendText(channel.account, recipient, input.content.text, input.content.replyTo)
            : await deps.provider.sendTemplate(channel.account, recipient, input.content);
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
