import { and, asc, eq, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.ts';
import { chats, contacts, media, messages, pendingStatuses } from '../schema/index.ts';

export type ContactRow = typeof contacts.$inferSelect;
export type ChatRow = typeof chats.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type PendingStatusRow = typeof pendingStatuses.$inferSelect;

/** How a WhatsApp sender is known: any of these may be missing (usernames hide the phone). */
export interface ContactIdentity {
  waId: string | null;
  businessScopedId: string | null;
  e164: string | null;
  groupId: string | null;
  profileName: string | null;
}

/**
 * Status rank: a message's status only moves up (late or repeated webhooks cannot move it back).
 * `failed` ranks below `delivered`: a delivery report after a failure means the message arrived
 * (several devices), while a late `sent` must not resurrect a failed message.
 */
export const STATUS_RANK = ['received', 'accepted', 'sent', 'failed', 'delivered', 'read'] as const;
export type MessageStatus = (typeof STATUS_RANK)[number];
const RANK_ARRAY = sql.raw(`ARRAY[${STATUS_RANK.map((status) => `'${status}'`).join(',')}]::text[]`);

/** Contacts, chats and messages of WhatsApp channels. */
export function createConversationsRepository(db: DbOrTx) {
  async function findContact(workspaceId: string, identity: ContactIdentity): Promise<ContactRow | undefined> {
    const keys: SQL[] = [];
    if (identity.groupId !== null) keys.push(eq(contacts.groupId, identity.groupId));
    else {
      if (identity.waId !== null) keys.push(eq(contacts.waId, identity.waId));
      if (identity.businessScopedId !== null) keys.push(eq(contacts.businessScopedId, identity.businessScopedId));
      if (identity.e164 !== null) keys.push(eq(contacts.e164, identity.e164));
    }
    if (keys.length === 0) return undefined;
    const rows = await db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), or(...keys)));
    // Prefer the strongest key: group, then wa_id, then business-scoped id, then number.
    return (
      rows.find((row) => identity.groupId !== null && row.groupId === identity.groupId) ??
      rows.find((row) => identity.waId !== null && row.waId === identity.waId) ??
      rows.find((row) => identity.businessScopedId !== null && row.businessScopedId === identity.businessScopedId) ??
      rows[0]
    );
  }

  return {
    findContact,

    /**
     * The contact for this identity, created if new; identifiers learnt later (a wa_id next to a
     * known user id, a new profile name) are added when no other contact holds them.
     */
    async upsertContact(tx: Tx, workspaceId: string, identity: ContactIdentity): Promise<ContactRow> {
      const found = await findContact(workspaceId, identity);
      if (found === undefined) {
        const [inserted] = await tx
          .insert(contacts)
          .values({
            workspaceId,
            waId: identity.waId,
            businessScopedId: identity.businessScopedId,
            e164: identity.e164,
            groupId: identity.groupId,
            isGroup: identity.groupId !== null,
            profileName: identity.profileName,
          })
          .onConflictDoNothing()
          .returning();
        if (inserted !== undefined) return inserted;
        // Another job created it a moment ago.
        const raced = await createConversationsRepository(tx).findContact(workspaceId, identity);
        if (raced === undefined) throw new Error('contact vanished during upsert');
        return raced;
      }
      const additions: Partial<typeof contacts.$inferInsert> = {};
      if (found.waId === null && identity.waId !== null) additions.waId = identity.waId;
      if (found.businessScopedId === null && identity.businessScopedId !== null)
        additions.businessScopedId = identity.businessScopedId;
      if (found.e164 === null && identity.e164 !== null) additions.e164 = identity.e164;
      if (identity.profileName !== null && identity.profileName !== found.profileName)
        additions.profileName = identity.profileName;
      if (Object.keys(additions).length === 0) return found;
      try {
        // A savepoint: an identifier another contact already holds must not abort the whole transaction.
        return await tx.transaction(async (savepoint) => {
          const [updated] = await savepoint
            .update(contacts)
            .set({ ...additions, updatedAt: new Date() })
            .where(eq(contacts.id, found.id))
            .returning();
          return updated ?? found;
        });
      } catch {
        return found;
      }
    },

    async upsertChat(
      tx: Tx,
      input: { workspaceId: string; channelId: string; contactId: string; isGroup: boolean },
    ): Promise<ChatRow> {
      const [inserted] = await tx.insert(chats).values(input).onConflictDoNothing().returning();
      if (inserted !== undefined) return inserted;
      const [row] = await tx
        .select()
        .from(chats)
        .where(and(eq(chats.channelId, input.channelId), eq(chats.contactId, input.contactId)));
      if (row === undefined) throw new Error('chat vanished during upsert');
      return row;
    },

    async findChat(id: string): Promise<ChatRow | undefined> {
      const [row] = await db.select().from(chats).where(eq(chats.id, id));
      return row;
    },

    async findContactById(id: string): Promise<ContactRow | undefined> {
      const [row] = await db.select().from(contacts).where(eq(contacts.id, id));
      return row;
    },

    /** Moves the chat's clocks forward only (messages arrive out of order). */
    async touchChat(tx: Tx, chatId: string, direction: 'inbound' | 'outbound', at: Date): Promise<void> {
      const column = direction === 'inbound' ? chats.lastInboundAt : chats.lastOutboundAt;
      const name = direction === 'inbound' ? 'lastInboundAt' : 'lastOutboundAt';
      await tx
        .update(chats)
        .set({
          [name]: sql`greatest(${column}, ${at})`,
          lastMessageAt: sql`greatest(${chats.lastMessageAt}, ${at})`,
          updatedAt: new Date(),
        })
        .where(eq(chats.id, chatId));
    },

    /** Inserts unless the (channel, wamid) is already stored; undefined for a duplicate. */
    async insertMessage(tx: Tx, values: typeof messages.$inferInsert): Promise<MessageRow | undefined> {
      const [row] = await tx.insert(messages).values(values).onConflictDoNothing().returning();
      return row;
    },

    async findMessage(id: string): Promise<MessageRow | undefined> {
      const [row] = await db.select().from(messages).where(eq(messages.id, id));
      return row;
    },

    async findByProviderId(channelId: string, providerMessageId: string): Promise<MessageRow | undefined> {
      const [row] = await db
        .select()
        .from(messages)
        .where(and(eq(messages.channelId, channelId), eq(messages.providerMessageId, providerMessageId)));
      return row;
    },

    /** Keeps a message's media bytes (downloaded from the provider, or a file sent from a panel); once per message. */
    async insertMedia(tx: DbOrTx, values: typeof media.$inferInsert): Promise<void> {
      await tx.insert(media).values(values).onConflictDoNothing();
    },

    async updateMessage(tx: DbOrTx, id: string, values: Partial<typeof messages.$inferInsert>): Promise<void> {
      await tx
        .update(messages)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(messages.id, id));
    },

    /** Applies a status if it ranks above the current one; true when the message changed. */
    async raiseStatus(tx: Tx, messageId: string, status: MessageStatus, error: MessageRow['error']): Promise<boolean> {
      const updated = await tx
        .update(messages)
        .set({ status, ...(error === null ? {} : { error }), updatedAt: new Date() })
        .where(
          and(
            eq(messages.id, messageId),
            sql`array_position(${RANK_ARRAY}, ${messages.status}::text) < array_position(${RANK_ARRAY}, ${status}::text)`,
          ),
        )
        .returning({ id: messages.id });
      return updated.length > 0;
    },

    /** Serializes everything about one wamid (status vs. the send storing it) within transactions. */
    async lockProviderMessage(tx: Tx, channelId: string, providerMessageId: string): Promise<void> {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${channelId}:${providerMessageId}`}, 0))`);
    },

    async keepPendingStatus(
      tx: Tx,
      input: { channelId: string; providerMessageId: string; status: string; payload: Record<string, unknown> },
    ): Promise<void> {
      await tx.insert(pendingStatuses).values(input).onConflictDoNothing();
    },

    /** Takes (and deletes) the statuses that waited for this wamid. */
    async takePendingStatuses(tx: Tx, channelId: string, providerMessageId: string): Promise<PendingStatusRow[]> {
      return tx
        .delete(pendingStatuses)
        .where(and(eq(pendingStatuses.channelId, channelId), eq(pendingStatuses.providerMessageId, providerMessageId)))
        .returning();
    },

    listChatMessages(chatId: string): Promise<MessageRow[]> {
      return db.select().from(messages).where(eq(messages.chatId, chatId)).orderBy(asc(messages.sentAt));
    },
  };
}
