import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
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

/** The keys a contact is looked up by: a group's id alone, else any of a person's identifiers. */
function identityKeys(identity: ContactIdentity): SQL[] {
  if (identity.groupId !== null) return [eq(contacts.groupId, identity.groupId)];
  const keys: SQL[] = [];
  if (identity.waId !== null) keys.push(eq(contacts.waId, identity.waId));
  if (identity.businessScopedId !== null) keys.push(eq(contacts.businessScopedId, identity.businessScopedId));
  if (identity.e164 !== null) keys.push(eq(contacts.e164, identity.e164));
  return keys;
}

/**
 * The contact of an identity among candidate rows (of its workspace), preferring the strongest key:
 * group, then wa_id, then business-scoped id, then number.
 */
export function pickContact(rows: readonly ContactRow[], identity: ContactIdentity): ContactRow | undefined {
  if (identity.groupId !== null) return rows.find((row) => row.groupId === identity.groupId);
  return (
    rows.find((row) => identity.waId !== null && row.waId === identity.waId) ??
    rows.find((row) => identity.businessScopedId !== null && row.businessScopedId === identity.businessScopedId) ??
    rows.find((row) => identity.e164 !== null && row.e164 === identity.e164)
  );
}

/** What an identity adds to its contact: identifiers the contact lacks, a new profile name. */
export function contactAdditions(found: ContactRow, identity: ContactIdentity): Partial<typeof contacts.$inferInsert> {
  const additions: Partial<typeof contacts.$inferInsert> = {};
  if (found.waId === null && identity.waId !== null) additions.waId = identity.waId;
  if (found.businessScopedId === null && identity.businessScopedId !== null)
    additions.businessScopedId = identity.businessScopedId;
  if (found.e164 === null && identity.e164 !== null) additions.e164 = identity.e164;
  if (identity.profileName !== null && identity.profileName !== found.profileName)
    additions.profileName = identity.profileName;
  return additions;
}

/** Contacts, chats and messages of WhatsApp channels. */
export function createConversationsRepository(db: DbOrTx) {
  async function findContact(workspaceId: string, identity: ContactIdentity): Promise<ContactRow | undefined> {
    const keys = identityKeys(identity);
    if (keys.length === 0) return undefined;
    const rows = await db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), or(...keys)));
    return pickContact(rows, identity);
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
      const additions = contactAdditions(found, identity);
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

    /**
     * Every contact of the workspace any of these identities could be, with their chats on these
     * channels, in one query (for a batch of messages); `pickContact` then finds each identity's.
     */
    async findContactsAndChats(
      workspaceId: string,
      identities: readonly ContactIdentity[],
      channelIds: readonly string[],
    ): Promise<{ contacts: ContactRow[]; chats: ChatRow[] }> {
      const keys = identities.flatMap(identityKeys);
      if (keys.length === 0 || channelIds.length === 0) return { contacts: [], chats: [] };
      const rows = await db
        .select({ contact: contacts, chat: chats })
        .from(contacts)
        .leftJoin(chats, and(eq(chats.contactId, contacts.id), inArray(chats.channelId, [...channelIds])))
        .where(and(eq(contacts.workspaceId, workspaceId), or(...keys)));
      const found = new Map(rows.map((row) => [row.contact.id, row.contact]));
      return { contacts: [...found.values()], chats: rows.flatMap((row) => (row.chat === null ? [] : [row.chat])) };
    },

    async upsertChat(
      tx: Tx,
      input: { workspaceId: string; channelId: string; contactId: string; isGroup: boolean },
    ): Promise<ChatRow> {
      // Read first: every message but a chat's first finds it, in one round trip instead of two.
      const existing = () =>
        tx
          .select()
          .from(chats)
          .where(and(eq(chats.channelId, input.channelId), eq(chats.contactId, input.contactId)));
      const [found] = await existing();
      if (found !== undefined) return found;
      const [inserted] = await tx.insert(chats).values(input).onConflictDoNothing().returning();
      if (inserted !== undefined) return inserted;
      const [row] = await existing(); // another job created it a moment ago
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

    /**
     * `touchChat` for several chats in one statement: each chat's latest inbound and outbound time
     * (null when none). The rows are locked first, in chat id order, so two transactions touching
     * the same chats cannot deadlock: an `update … from` alone locks rows in the order its join
     * produces them, which changes with the plan (the live benchmark saw deadlocks between
     * batches of different sizes). `for no key update` is the lock the update takes anyway, so it
     * does not wait for messages being inserted into these chats (their foreign key's share lock).
     */
    async touchChats(
      tx: Tx,
      touches: readonly { chatId: string; lastInboundAt: Date | null; lastOutboundAt: Date | null }[],
    ): Promise<void> {
      if (touches.length === 0) return;
      const sorted = [...touches].sort((a, b) => (a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : 0));
      const column = <T>(pick: (touch: (typeof sorted)[number]) => T) => sql.param(sorted.map(pick));
      await tx.execute(sql`
        with locked as materialized (
          select id from ${chats} where id = any(${column((touch) => touch.chatId)}::uuid[])
           order by id
             for no key update
        )
        update ${chats} as c
           set last_inbound_at = greatest(c.last_inbound_at, t.inbound),
               last_outbound_at = greatest(c.last_outbound_at, t.outbound),
               last_message_at = greatest(c.last_message_at, t.inbound, t.outbound),
               updated_at = now()
          from unnest(
                 ${column((touch) => touch.chatId)}::uuid[],
                 ${column((touch) => touch.lastInboundAt?.toISOString() ?? null)}::timestamptz[],
                 ${column((touch) => touch.lastOutboundAt?.toISOString() ?? null)}::timestamptz[]
               ) as t(chat_id, inbound, outbound)
         cross join (select count(*) from locked) as held
         where c.id = t.chat_id`);
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

    /**
     * Inserts each message unless its (channel, wamid) is already stored (or comes earlier in the
     * list); returns the rows inserted, in list order.
     */
    async insertMessages(
      tx: Tx,
      values: readonly (typeof messages.$inferInsert & { id: string })[],
    ): Promise<MessageRow[]> {
      if (values.length === 0) return [];
      const rows = await tx
        .insert(messages)
        .values([...values])
        .onConflictDoNothing()
        .returning();
      const byId = new Map(rows.map((row) => [row.id, row]));
      return values.flatMap((value) => byId.get(value.id) ?? []);
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
