import { and, asc, desc, eq, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { channels, chats, contacts, messages, templates } from '../schema/index.ts';

export type MessageRow = typeof messages.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;

/** A chat with what its summary needs: channel, contact and unread count. */
export interface ChatListRow {
  id: string;
  channelId: string;
  channelName: string;
  channelPhoneNumber: string | null;
  contactName: string | null;
  contactNumber: string | null;
  personId: number | null;
  dealId: number | null;
  leadId: string | null;
  pinnedPersonId: number | null;
  pinnedDealId: number | null;
  lastInboundAt: Date | null;
  lastMessageAt: Date | null;
  unread: number;
}

/** Inbound messages nobody has read in Parley yet. */
const unreadCount = sql<number>`(
  select count(*)::int from ${messages}
  where ${messages.chatId} = ${chats.id} and ${messages.direction} = 'inbound' and ${messages.status} = 'received'
)`;

/** `%text%` for ILIKE with the user's `%`, `_` and `\` taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Reads for the live-chat panels; every query is scoped to one workspace. */
export function createPanelChatsRepository(db: DbOrTx) {
  const chatList = (where: SQL | undefined) =>
    db
      .select({
        id: chats.id,
        channelId: chats.channelId,
        channelName: channels.displayName,
        channelPhoneNumber: channels.phoneNumber,
        contactName: contacts.profileName,
        contactNumber: contacts.e164,
        personId: chats.personId,
        dealId: chats.dealId,
        leadId: chats.leadId,
        pinnedPersonId: chats.pinnedPersonId,
        pinnedDealId: chats.pinnedDealId,
        lastInboundAt: chats.lastInboundAt,
        lastMessageAt: chats.lastMessageAt,
        unread: unreadCount,
      })
      .from(chats)
      .innerJoin(channels, eq(channels.id, chats.channelId))
      .innerJoin(contacts, eq(contacts.id, chats.contactId))
      .where(where);

  return {
    /** The chats of a person (linked or pinned) and, for a deal panel, those pinned or linked to the deal. */
    async chatsOfRecord(
      workspaceId: string,
      record: { personId: number | null; dealId: number | null },
    ): Promise<ChatListRow[]> {
      const links: SQL[] = [];
      if (record.personId !== null)
        links.push(eq(chats.personId, record.personId), eq(chats.pinnedPersonId, record.personId));
      if (record.dealId !== null) links.push(eq(chats.dealId, record.dealId), eq(chats.pinnedDealId, record.dealId));
      if (links.length === 0) return [];
      return chatList(and(eq(chats.workspaceId, workspaceId), or(...links))).orderBy(
        sql`${chats.lastMessageAt} desc nulls last`,
        asc(chats.id),
      );
    },

    async findChat(workspaceId: string, chatId: string): Promise<ChatListRow | undefined> {
      const [row] = await chatList(and(eq(chats.workspaceId, workspaceId), eq(chats.id, chatId)));
      return row;
    },

    /** The floating inbox: most recent first; `query` searches contact name, number and message text. */
    async inbox(workspaceId: string, query: string | undefined, limit: number): Promise<ChatListRow[]> {
      const scope = eq(chats.workspaceId, workspaceId);
      const search =
        query === undefined || query.trim() === ''
          ? undefined
          : or(
              ilike(contacts.profileName, containing(query.trim())),
              ilike(contacts.e164, containing(query.trim().replace(/[\s()-]/g, ''))),
              sql`exists (select 1 from ${messages} where ${messages.chatId} = ${chats.id} and ${ilike(messages.body, containing(query.trim()))})`,
            );
      return chatList(and(scope, search))
        .orderBy(sql`${chats.lastMessageAt} desc nulls last`, asc(chats.id))
        .limit(limit);
    },

    /** The newest message of each chat, for the inbox preview. */
    async lastMessages(chatIds: string[]): Promise<Map<string, MessageRow>> {
      if (chatIds.length === 0) return new Map();
      const rows = await db
        .selectDistinctOn([messages.chatId])
        .from(messages)
        .where(inArray(messages.chatId, chatIds))
        .orderBy(messages.chatId, desc(messages.sentAt), desc(messages.id));
      return new Map(rows.map((row) => [row.chatId, row]));
    },

    /** A page of messages older than the cursor (newest first: the caller reverses). */
    async messagesBefore(
      chatId: string,
      cursor: { sentAt: Date; id: string } | undefined,
      limit: number,
    ): Promise<MessageRow[]> {
      const older =
        cursor === undefined
          ? undefined
          : or(lt(messages.sentAt, cursor.sentAt), and(eq(messages.sentAt, cursor.sentAt), lt(messages.id, cursor.id)));
      return db
        .select()
        .from(messages)
        .where(and(eq(messages.chatId, chatId), older))
        .orderBy(desc(messages.sentAt), desc(messages.id))
        .limit(limit);
    },

    /** Marks the chat's unread inbound messages read; returns the newest one's provider id (for the receipt). */
    async markInboundRead(chatId: string, now: Date): Promise<{ count: number; newestProviderId: string | null }> {
      const rows = await db
        .update(messages)
        .set({ status: 'read', updatedAt: now })
        .where(and(eq(messages.chatId, chatId), eq(messages.direction, 'inbound'), eq(messages.status, 'received')))
        .returning({ providerMessageId: messages.providerMessageId, sentAt: messages.sentAt });
      const newest = rows.reduce<(typeof rows)[number] | undefined>(
        (best, row) => (best === undefined || row.sentAt > best.sentAt ? row : best),
        undefined,
      );
      return { count: rows.length, newestProviderId: newest?.providerMessageId ?? null };
    },

    async activeChannels(workspaceId: string) {
      return db
        .select({ id: channels.id, name: channels.displayName, phoneNumber: channels.phoneNumber })
        .from(channels)
        .where(and(eq(channels.workspaceId, workspaceId), eq(channels.status, 'active')))
        .orderBy(asc(channels.displayName), asc(channels.id));
    },

    /** Approved templates of the given channels. */
    async approvedTemplates(channelIds: string[]): Promise<TemplateRow[]> {
      if (channelIds.length === 0) return [];
      return db
        .select()
        .from(templates)
        .where(and(inArray(templates.channelId, channelIds), sql`upper(${templates.status}) = 'APPROVED'`))
        .orderBy(asc(templates.name), asc(templates.language));
    },
  };
}
