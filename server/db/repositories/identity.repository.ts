import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import {
  channels,
  chats,
  companies,
  connections,
  contacts,
  phonePersonCache,
  syncEffects,
  unmatchedChats,
} from '../schema/index.ts';

export type ChatRow = typeof chats.$inferSelect;
export type UnmatchedRow = typeof unmatchedChats.$inferSelect;
export type ChatLinks = Partial<Pick<ChatRow, 'personId' | 'dealId' | 'leadId' | 'pinnedPersonId' | 'pinnedDealId'>>;

/** Queries of identity resolution: chats with their contact and channel, links, the phone cache, effects. */
export function createIdentityRepository(db: DbOrTx) {
  return {
    /** The chat, its contact and channel, and the Pipedrive company linked to its workspace. */
    async findChatContext(chatId: string) {
      const [row] = await db
        .select({
          chat: chats,
          contact: contacts,
          channel: { id: channels.id, displayName: channels.displayName, ownerMemberId: channels.ownerMemberId },
          company: { id: companies.id, status: companies.status },
        })
        .from(chats)
        .innerJoin(contacts, eq(contacts.id, chats.contactId))
        .innerJoin(channels, eq(channels.id, chats.channelId))
        .leftJoin(companies, eq(companies.workspaceId, chats.workspaceId))
        .where(eq(chats.id, chatId));
      return row;
    },

    async findChat(chatId: string): Promise<ChatRow | undefined> {
      const [row] = await db.select().from(chats).where(eq(chats.id, chatId));
      return row;
    },

    async updateChatLinks(chatId: string, links: ChatLinks): Promise<void> {
      await db
        .update(chats)
        .set({ ...links, updatedAt: sql`now()` })
        .where(eq(chats.id, chatId));
    },

    /** Chats of a workspace linked (or pinned) to a Pipedrive person. */
    async chatsOfPerson(workspaceId: string, personId: number): Promise<ChatRow[]> {
      return db
        .select()
        .from(chats)
        .where(
          and(eq(chats.workspaceId, workspaceId), or(eq(chats.personId, personId), eq(chats.pinnedPersonId, personId))),
        );
    },

    async chatsOfDeal(workspaceId: string, dealId: number): Promise<ChatRow[]> {
      return db
        .select()
        .from(chats)
        .where(and(eq(chats.workspaceId, workspaceId), or(eq(chats.dealId, dealId), eq(chats.pinnedDealId, dealId))));
    },

    async chatsOfLead(workspaceId: string, leadId: string): Promise<ChatRow[]> {
      return db
        .select()
        .from(chats)
        .where(and(eq(chats.workspaceId, workspaceId), eq(chats.leadId, leadId)));
    },

    /** The Pipedrive user a member connected as in this company (for the owner rule), if still connected. */
    async pipedriveUserOfMember(companyId: number, memberId: string): Promise<number | undefined> {
      const [row] = await db
        .select({ userId: connections.pipedriveUserId })
        .from(connections)
        .where(
          and(
            eq(connections.companyId, companyId),
            eq(connections.memberId, memberId),
            sql`${connections.state} <> 'revoked'`,
          ),
        );
      return row?.userId;
    },

    async orgConnectorUser(companyId: number): Promise<number | undefined> {
      const [row] = await db
        .select({ userId: connections.pipedriveUserId })
        .from(connections)
        .where(and(eq(connections.companyId, companyId), eq(connections.isOrgConnection, true)));
      return row?.userId;
    },

    async personallyConnectedUsers(companyId: number): Promise<number[]> {
      const rows = await db
        .select({ userId: connections.pipedriveUserId })
        .from(connections)
        .where(
          and(
            eq(connections.companyId, companyId),
            eq(connections.isPersonalConnection, true),
            eq(connections.state, 'active'),
          ),
        )
        .orderBy(connections.pipedriveUserId);
      return rows.map((row) => row.userId);
    },

    // --- phone → person cache ---------------------------------------------------------------

    async cachedPerson(companyId: number, numbers: string[]): Promise<number | undefined> {
      if (numbers.length === 0) return undefined;
      const rows = await db
        .selectDistinct({ personId: phonePersonCache.personId })
        .from(phonePersonCache)
        .where(and(eq(phonePersonCache.companyId, companyId), inArray(phonePersonCache.e164, numbers)));
      // Two persons cached for one line means the cache cannot decide; search again.
      return rows.length === 1 ? rows[0]?.personId : undefined;
    },

    async cachePerson(companyId: number, e164: string, personId: number): Promise<void> {
      await db
        .insert(phonePersonCache)
        .values({ companyId, e164, personId })
        .onConflictDoUpdate({
          target: [phonePersonCache.companyId, phonePersonCache.e164],
          set: { personId, updatedAt: sql`now()` },
        });
    },

    async forgetPerson(companyId: number, personId: number): Promise<void> {
      await db
        .delete(phonePersonCache)
        .where(and(eq(phonePersonCache.companyId, companyId), eq(phonePersonCache.personId, personId)));
    },

    async cachedNumbersOf(companyId: number, personId: number): Promise<string[]> {
      const rows = await db
        .select({ e164: phonePersonCache.e164 })
        .from(phonePersonCache)
        .where(and(eq(phonePersonCache.companyId, companyId), eq(phonePersonCache.personId, personId)));
      return rows.map((row) => row.e164);
    },

    async forgetNumber(companyId: number, e164: string): Promise<void> {
      await db
        .delete(phonePersonCache)
        .where(and(eq(phonePersonCache.companyId, companyId), eq(phonePersonCache.e164, e164)));
    },

    // --- remote effects (look before create) --------------------------------------------------

    async findEffect(companyId: number, chatId: string, kind: string) {
      const [row] = await db
        .select()
        .from(syncEffects)
        .where(
          and(
            eq(syncEffects.companyId, companyId),
            eq(syncEffects.subjectType, 'chat'),
            eq(syncEffects.subjectId, chatId),
            eq(syncEffects.kind, kind),
          ),
        );
      return row;
    },

    /** Records that a create is about to be sent (or sent again); counts the attempts. */
    async markEffectPending(companyId: number, chatId: string, kind: string): Promise<void> {
      await db
        .insert(syncEffects)
        .values({ companyId, subjectType: 'chat', subjectId: chatId, kind, state: 'pending', attempts: 1 })
        .onConflictDoUpdate({
          target: [syncEffects.companyId, syncEffects.subjectType, syncEffects.subjectId, syncEffects.kind],
          set: { state: 'pending', remoteId: null, attempts: sql`${syncEffects.attempts} + 1`, updatedAt: sql`now()` },
        });
    },

    async markEffectDone(companyId: number, chatId: string, kind: string, remoteId: string): Promise<void> {
      await db
        .update(syncEffects)
        .set({ state: 'done', remoteId, lastError: null, updatedAt: sql`now()` })
        .where(
          and(
            eq(syncEffects.companyId, companyId),
            eq(syncEffects.subjectType, 'chat'),
            eq(syncEffects.subjectId, chatId),
            eq(syncEffects.kind, kind),
          ),
        );
    },

    /** A record Parley created is gone in Pipedrive: a new one may be created again per settings. */
    async forgetEffectsOf(companyId: number, kind: string, remoteId: string): Promise<void> {
      await db
        .delete(syncEffects)
        .where(
          and(eq(syncEffects.companyId, companyId), eq(syncEffects.kind, kind), eq(syncEffects.remoteId, remoteId)),
        );
    },

    // --- unmatched queue ------------------------------------------------------------------

    async openUnmatched(companyId: number, chatId: string): Promise<UnmatchedRow | undefined> {
      const [row] = await db
        .select()
        .from(unmatchedChats)
        .where(
          and(
            eq(unmatchedChats.companyId, companyId),
            eq(unmatchedChats.chatId, chatId),
            eq(unmatchedChats.status, 'open'),
          ),
        );
      return row;
    },

    /** Queues the chat once; a second call while it is open changes nothing. Returns whether it was new. */
    async queueUnmatched(values: typeof unmatchedChats.$inferInsert): Promise<boolean> {
      const rows = await db
        .insert(unmatchedChats)
        .values(values)
        .onConflictDoNothing({
          target: [unmatchedChats.companyId, unmatchedChats.chatId],
          where: sql`${unmatchedChats.status} = 'open'`,
        })
        .returning({ id: unmatchedChats.id });
      return rows.length > 0;
    },

    async listUnmatched(workspaceId: string, companyId: number) {
      return db
        .select({ entry: unmatchedChats, contact: { e164: contacts.e164, profileName: contacts.profileName } })
        .from(unmatchedChats)
        .innerJoin(chats, eq(chats.id, unmatchedChats.chatId))
        .innerJoin(contacts, eq(contacts.id, chats.contactId))
        .where(
          and(
            eq(unmatchedChats.workspaceId, workspaceId),
            eq(unmatchedChats.companyId, companyId),
            eq(unmatchedChats.status, 'open'),
          ),
        )
        .orderBy(desc(unmatchedChats.createdAt));
    },

    async findUnmatched(workspaceId: string, id: string): Promise<UnmatchedRow | undefined> {
      const [row] = await db
        .select()
        .from(unmatchedChats)
        .where(and(eq(unmatchedChats.id, id), eq(unmatchedChats.workspaceId, workspaceId)));
      return row;
    },

    async resolveUnmatched(id: string, values: { chosenPersonId: number | null; resolvedBy: string }): Promise<void> {
      await db
        .update(unmatchedChats)
        .set({ ...values, status: 'resolved', resolvedAt: sql`now()`, updatedAt: sql`now()` })
        .where(eq(unmatchedChats.id, id));
    },
  };
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
