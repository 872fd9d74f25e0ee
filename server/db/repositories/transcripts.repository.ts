import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import {
  accounts,
  channels,
  chats,
  companies,
  connections,
  contacts,
  members,
  messages,
  syncEffects,
  transcripts,
} from '../schema/index.ts';

export type TranscriptRow = typeof transcripts.$inferSelect;
export type SyncEffectRow = typeof syncEffects.$inferSelect;
/** One remote write: what it is about (`transcript` chat-day-part, `company`) and what it does. */
export interface EffectKey {
  companyId: number;
  subjectType: string;
  subjectId: string;
  kind: string;
}

const effectIs = (key: EffectKey) =>
  and(
    eq(syncEffects.companyId, key.companyId),
    eq(syncEffects.subjectType, key.subjectType),
    eq(syncEffects.subjectId, key.subjectId),
    eq(syncEffects.kind, key.kind),
  );

/**
 * A transcript day is the UTC calendar day of `messages.sent_at` (documented in ARCHITECTURE.md:
 * Parley stores no company timezone, and Pipedrive resets budgets at UTC midnight too).
 */
const messageDay = sql<string>`to_char((${messages.sentAt} at time zone 'UTC')::date, 'YYYY-MM-DD')`;
/** What a day's messages are now: every id with its last change, hashed. */
const dayFingerprint = sql<string>`md5(string_agg(${messages.id}::text || '@' || ${messages.updatedAt}::text, ',' order by ${messages.id}))`;

/** What the transcript sync reads and writes in Parley's database. */
export function createTranscriptsRepository(db: DbOrTx) {
  return {
    /** The chat with its contact, channel and the Pipedrive company of its workspace. */
    async findChat(chatId: string) {
      const [row] = await db
        .select({ chat: chats, contact: contacts, channel: channels, company: companies })
        .from(chats)
        .innerJoin(contacts, eq(contacts.id, chats.contactId))
        .innerJoin(channels, eq(channels.id, chats.channelId))
        .leftJoin(companies, eq(companies.workspaceId, chats.workspaceId))
        .where(eq(chats.id, chatId));
      return row;
    },

    /**
     * The chat's days whose messages changed since their transcript was written (or that have
     * none), oldest first, each with the fingerprint of its messages now. A fingerprint, not a
     * timestamp watermark: a message committed late with an older `updated_at` still changes it.
     */
    async staleDays(
      companyId: number,
      chatId: string,
    ): Promise<{ day: string; fingerprint: string; written: boolean }[]> {
      const result = await db.execute<{ day: string; fingerprint: string; written: boolean }>(sql`
        select d.day, d.fingerprint, t.id is not null as written from (
          select ${messageDay} as day, ${dayFingerprint} as fingerprint
          from ${messages} where ${messages.chatId} = ${chatId} group by 1
        ) d
        left join ${transcripts} t
          on t.company_id = ${companyId} and t.chat_id = ${chatId} and t.part = 1
            and to_char(t.day, 'YYYY-MM-DD') = d.day
        where t.synced_fingerprint is distinct from d.fingerprint
        order by d.day`);
      return result.rows;
    },

    /**
     * When the chat's timeline may next be rewritten, if that is still ahead: its latest transcript
     * write plus `intervalSeconds`. In database time, the clock pg-boss schedules jobs by.
     */
    async nextRewriteAt(companyId: number, chatId: string, intervalSeconds: number): Promise<Date | null> {
      const result = await db.execute<{ at_ms: number | string }>(sql`
        select extract(epoch from max(updated_at) + make_interval(secs => ${intervalSeconds})) * 1000 as at_ms
        from ${transcripts} where company_id = ${companyId} and chat_id = ${chatId}
        having max(updated_at) + make_interval(secs => ${intervalSeconds}) > now()`);
      const row = result.rows[0];
      return row === undefined ? null : new Date(Math.ceil(Number(row.at_ms)));
    },

    /** A day's messages in order, with who sent each (member, Pipedrive user) resolved to a name. */
    async dayMessages(companyId: number, chatId: string, day: string) {
      return db
        .select({
          message: messages,
          memberName: accounts.name,
          pipedriveUserName: connections.pipedriveUserName,
        })
        .from(messages)
        .leftJoin(members, eq(members.id, messages.sentByMemberId))
        .leftJoin(accounts, eq(accounts.id, members.accountId))
        .leftJoin(
          connections,
          and(eq(connections.companyId, companyId), eq(connections.pipedriveUserId, messages.sentByPipedriveUserId)),
        )
        .where(and(eq(messages.chatId, chatId), sql`${messageDay} = ${day}`))
        .orderBy(asc(messages.sentAt), asc(messages.createdAt), asc(messages.id));
    },

    /** Messages of the chat by provider id (what replies and reactions point at). */
    async byProviderIds(chatId: string, providerIds: string[]) {
      if (providerIds.length === 0) return [];
      return db
        .select({ message: messages, memberName: accounts.name })
        .from(messages)
        .leftJoin(members, eq(members.id, messages.sentByMemberId))
        .leftJoin(accounts, eq(accounts.id, members.accountId))
        .where(and(eq(messages.chatId, chatId), inArray(messages.providerMessageId, providerIds)));
    },

    async findParts(companyId: number, chatId: string, day: string): Promise<TranscriptRow[]> {
      return db
        .select()
        .from(transcripts)
        .where(and(eq(transcripts.companyId, companyId), eq(transcripts.chatId, chatId), eq(transcripts.day, day)))
        .orderBy(asc(transcripts.part));
    },

    async savePart(values: {
      companyId: number;
      chatId: string;
      day: string;
      part: number;
      noteId?: number | null;
      activityId?: number | null;
      lastMessageId: string;
      contentHash: string;
    }): Promise<void> {
      await db
        .insert(transcripts)
        .values(values)
        .onConflictDoUpdate({
          target: [transcripts.companyId, transcripts.chatId, transcripts.day, transcripts.part],
          set: {
            ...(values.noteId === undefined ? {} : { noteId: values.noteId }),
            ...(values.activityId === undefined ? {} : { activityId: values.activityId }),
            lastMessageId: values.lastMessageId,
            contentHash: values.contentHash,
            updatedAt: sql`now()`,
          },
        });
    },

    /** Every part of the day now shows (at least) the messages `fingerprint` describes. */
    async markDaySynced(companyId: number, chatId: string, day: string, fingerprint: string): Promise<void> {
      await db
        .update(transcripts)
        .set({ syncedFingerprint: fingerprint, updatedAt: sql`now()` })
        .where(and(eq(transcripts.companyId, companyId), eq(transcripts.chatId, chatId), eq(transcripts.day, day)));
    },

    async findEffect(key: EffectKey): Promise<SyncEffectRow | undefined> {
      const [row] = await db.select().from(syncEffects).where(effectIs(key));
      return row;
    },

    /** The intent, written (and committed) before the remote call: a retry then knows to look first. */
    async beginEffect(key: EffectKey): Promise<void> {
      await db
        .insert(syncEffects)
        .values({ ...key, state: 'pending', attempts: 1 })
        .onConflictDoUpdate({
          target: [syncEffects.companyId, syncEffects.subjectType, syncEffects.subjectId, syncEffects.kind],
          set: { state: 'pending', attempts: sql`${syncEffects.attempts} + 1`, updatedAt: sql`now()` },
        });
    },

    async finishEffect(
      key: EffectKey,
      outcome: { state: 'done' | 'failed'; remoteId?: string | null; lastError?: string | null },
    ): Promise<void> {
      await db
        .update(syncEffects)
        .set({ ...outcome, updatedAt: sql`now()` })
        .where(effectIs(key));
    },

    /**
     * The company's chats with changes their transcripts do not show yet, the one waiting longest
     * first: what a reconnect must catch up on.
     */
    async chatsBehind(companyId: number): Promise<string[]> {
      const result = await db.execute<{ chat_id: string }>(sql`
        select d.chat_id from (
          select ${messages.chatId} as chat_id, ${messageDay} as day, ${dayFingerprint} as fingerprint,
                 min(${messages.updatedAt}) as oldest
          from ${messages}
          join ${chats} c on c.id = ${messages.chatId}
          join ${companies} co on co.workspace_id = c.workspace_id and co.id = ${companyId}
          group by 1, 2
        ) d
        where not exists (
          select 1 from ${transcripts} t
          where t.company_id = ${companyId} and t.chat_id = d.chat_id and t.part = 1
            and to_char(t.day, 'YYYY-MM-DD') = d.day and t.synced_fingerprint = d.fingerprint
        )
        group by d.chat_id
        order by min(d.oldest)`);
      return result.rows.map((row) => row.chat_id);
    },
  };
}

export type TranscriptsRepository = ReturnType<typeof createTranscriptsRepository>;
