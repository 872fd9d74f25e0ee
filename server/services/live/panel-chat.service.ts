import type {
  ChatMessage,
  ChatSummary,
  InboxChat,
  InboxResponse,
  MessagesPage,
  TemplateSummary,
} from '../../../contracts/panel-chat.ts';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import {
  createPanelChatsRepository,
  type ChatListRow,
  type MessageRow,
  type TemplateRow,
} from '../../db/repositories/panel-chats.repository.ts';
import type { Logger } from '../../logger.ts';
import { createErrorFactory } from '../../errors.ts';
import { createOrgNotConnectedError } from '../connections/connections.errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { MediaLinks } from './media-links.ts';
import { appendEvent } from '../events/event-log.ts';
import { announcePanelEvent, createPanelEventsReader } from './panel-events.ts';

export const createChatNotFoundError = createErrorFactory({
  code: 'chats.not_found',
  statusCode: 404,
  message: 'This WhatsApp chat does not exist in your workspace.',
});
export const createCursorInvalidError = createErrorFactory({
  code: 'chats.cursor_invalid',
  statusCode: 400,
  message: 'The page cursor is invalid. Reload the chat.',
});

/** WhatsApp's customer-service window: free text is allowed for 24 hours after their last message. */
const WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Sends WhatsApp's read receipt ("blue ticks") for the newest message a user read in Parley;
 * `createDomainServices` wires it to the channel's provider (`markRead`).
 */
export type ReadReceiptSender = (chat: {
  chatId: string;
  channelId: string;
  providerMessageId: string;
}) => Promise<void>;

export function windowOf(lastInboundAt: Date | null, now: Date): ChatSummary['window'] {
  if (lastInboundAt === null) return { state: 'closed', closesAt: null };
  const closesAt = new Date(lastInboundAt.getTime() + WINDOW_MS);
  return { state: closesAt > now ? 'open' : 'closed', closesAt: closesAt.toISOString() };
}

export function toChatSummary(row: ChatListRow, now: Date): ChatSummary {
  return {
    id: row.id,
    channel: { id: row.channelId, name: row.channelName, phoneNumber: row.channelPhoneNumber },
    contact: { name: row.contactName, number: row.contactNumber },
    window: windowOf(row.lastInboundAt, now),
    unread: row.unread,
    lastMessageAt: row.lastMessageAt?.toISOString() ?? null,
    links: {
      personId: row.pinnedPersonId ?? row.personId,
      dealId: row.pinnedDealId ?? row.dealId,
      leadId: row.leadId,
    },
  };
}

/**
 * A message as panels get it. Stored media is served to panels only through a signed, short-lived
 * link (`mediaUrl`): the dashboard's cookie-authorised `/api/media/:id` never works in Pipedrive's iframe.
 */
export function toChatMessage(row: MessageRow, mediaUrl: (messageId: string) => string): ChatMessage {
  const media =
    row.media !== null && row.media['state'] === 'stored' ? { ...row.media, url: mediaUrl(row.id) } : row.media;
  return {
    id: row.id,
    providerMessageId: row.providerMessageId,
    direction: row.direction,
    type: row.type,
    body: row.body,
    media,
    context: row.context,
    status: row.status,
    error: row.error,
    sentAt: row.sentAt.toISOString(),
    sentByPipedriveUserId: row.sentByPipedriveUserId,
  };
}

const toTemplate = (row: TemplateRow): TemplateSummary => ({
  id: row.id,
  channelId: row.channelId,
  name: row.name,
  language: row.language,
  category: row.category,
  components: row.components,
});

/** Cursors are opaque to clients: the (sentAt, id) of the oldest message they have. */
const encodeCursor = (row: MessageRow) =>
  Buffer.from(JSON.stringify([row.sentAt.toISOString(), row.id])).toString('base64url');
function decodeCursor(cursor: string): { sentAt: Date; id: string } {
  try {
    const [sentAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const date = new Date(String(sentAt));
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(date.getTime())) throw new Error();
    return { sentAt: date, id };
  } catch {
    throw createCursorInvalidError();
  }
}

/**
 * What the live-chat panels read: a company's chats, messages and templates, always inside the
 * workspace the company is linked to (the company comes from the verified panel token).
 */
export function createPanelChatService(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  mediaLinks: MediaLinks;
  sendReadReceipt?: ReadReceiptSender;
}) {
  const repository = createPanelChatsRepository(deps.db);
  const connections = createConnectionsRepository(deps.db);
  const events = createPanelEventsReader(deps.db);

  async function requireChat(workspaceId: string, chatId: string): Promise<ChatListRow> {
    const chat = await repository.findChat(workspaceId, chatId);
    if (chat === undefined) throw createChatNotFoundError();
    return chat;
  }

  return {
    /** The workspace of a connected company; org-not-connected otherwise. */
    async workspaceOf(companyId: number): Promise<string> {
      const company = await connections.findCompany(companyId);
      if (company?.workspaceId == null || company.status !== 'connected') throw createOrgNotConnectedError();
      return company.workspaceId;
    },

    activeChannels: (workspaceId: string) => repository.activeChannels(workspaceId),

    async chatsOfRecord(workspaceId: string, record: { personId: number | null; dealId: number | null }) {
      const now = deps.clock.now();
      return (await repository.chatsOfRecord(workspaceId, record)).map((row) => toChatSummary(row, now));
    },

    async templates(channelIds: string[]): Promise<TemplateSummary[]> {
      return (await repository.approvedTemplates(channelIds)).map(toTemplate);
    },

    /** A page of a chat's messages; media links are signed for `companyId` (the viewer's, from the token). */
    async messages(
      companyId: number,
      workspaceId: string,
      chatId: string,
      page: { before?: string; limit?: number },
    ): Promise<MessagesPage> {
      const chat = await requireChat(workspaceId, chatId);
      const limit = page.limit ?? 30;
      const rows = await repository.messagesBefore(
        chatId,
        page.before === undefined ? undefined : decodeCursor(page.before),
        limit + 1,
      );
      const shown = rows.slice(0, limit);
      const oldest = shown.at(-1);
      return {
        messages: shown.reverse().map((row) => toChatMessage(row, (id) => deps.mediaLinks.url(companyId, id))),
        nextBefore: rows.length > limit && oldest !== undefined ? encodeCursor(oldest) : null,
        chat: toChatSummary(chat, deps.clock.now()),
      };
    },

    /** Marks the chat read in Parley, tells every open panel, then sends WhatsApp's read receipt. */
    async markRead(workspaceId: string, chatId: string, bus: EventBus): Promise<{ marked: number }> {
      const chat = await requireChat(workspaceId, chatId);
      const now = deps.clock.now();
      const { marked, newestProviderId, seq } = await deps.db.transaction(async (tx) => {
        const result = await createPanelChatsRepository(tx).markInboundRead(chatId, now);
        if (result.count === 0) return { marked: 0, newestProviderId: null, seq: undefined };
        const eventSeq = await appendEvent(tx, { workspaceId, type: 'chat.read', payload: { chatId } });
        return { marked: result.count, newestProviderId: result.newestProviderId, seq: eventSeq };
      });
      if (seq !== undefined) await announcePanelEvent(bus, workspaceId, seq);
      if (newestProviderId !== null && deps.sendReadReceipt !== undefined) {
        // The read is already recorded; a failed receipt only leaves the customer's ticks grey.
        await deps
          .sendReadReceipt({ chatId, channelId: chat.channelId, providerMessageId: newestProviderId })
          .catch((error: unknown) => deps.logger.warn({ err: error, chatId }, 'WhatsApp read receipt failed'));
      }
      return { marked };
    },

    async inbox(
      viewer: { companyId: number; userId: number },
      workspaceId: string,
      query: string | undefined,
    ): Promise<InboxResponse> {
      const now = deps.clock.now();
      // Before the chats are read: the panel's live stream replays whatever comes after.
      const liveFrom = await events.latestSeq(workspaceId);
      const rows = await repository.inbox(workspaceId, query, 100);
      const last = await repository.lastMessages(rows.map((row) => row.id));
      const channels = await repository.activeChannels(workspaceId);
      const templates = await repository.approvedTemplates(channels.map((channel) => channel.id));
      const mine = await connections.findByCompanyUser(viewer.companyId, viewer.userId);
      const chats: InboxChat[] = rows.map((row) => {
        const message = last.get(row.id);
        return {
          ...toChatSummary(row, now),
          lastMessage:
            message === undefined ? null : { direction: message.direction, type: message.type, body: message.body },
        };
      });
      return {
        chats,
        unreadTotal: chats.reduce((sum, chat) => sum + chat.unread, 0),
        templates: templates.map(toTemplate),
        viewerName: mine?.pipedriveUserName ?? null,
        liveFrom,
      };
    },
  };
}

export type PanelChatService = ReturnType<typeof createPanelChatService>;
