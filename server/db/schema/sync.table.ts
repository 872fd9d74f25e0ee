import { sql } from 'drizzle-orm';
import {
  bigserial,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { pipedriveId, timestamps } from './columns.ts';
import { companies } from './pipedrive.table.ts';
import { channels, chats, messages } from './whatsapp.table.ts';
import { workspaces } from './workspaces.table.ts';

/**
 * The durable front door: every authenticated webhook is stored here (one row per message or
 * status) before it is acknowledged; workers process it later. The unique key drops duplicates.
 */
export const inboxEvents = pgTable(
  'inbox_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** `whatsapp_cloud`, `pipedrive`… */
    provider: text('provider').notNull(),
    /** Provider-side identity of the event (wamid, `wamid:status`, Pipedrive `meta.id`). */
    dedupeKey: text('dedupe_key').notNull(),
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    companyId: pipedriveId('company_id'),
    /** The WhatsApp channel a webhook row belongs to (null for Pipedrive rows). */
    channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'cascade' }),
    payload: jsonb('payload').$type<unknown>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('inbox_events_provider_dedupe_key').on(t.provider, t.dedupeKey),
    index('inbox_events_unprocessed_idx')
      .on(t.receivedAt)
      .where(sql`processed_at is null`),
  ],
);

export const syncEffectState = pgEnum('sync_effect_state', ['pending', 'done', 'failed', 'skipped']);

/**
 * One row per remote write to Pipedrive. Written as `pending` before the call and `done` with the
 * remote id after it, so a retried job knows to look before it creates again.
 */
export const syncEffects = pgTable(
  'sync_effects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: pipedriveId('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    /** `message`, `chat`, `chat_day`… */
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    /** `person.create`, `deal.create`, `note.upsert`… */
    kind: text('kind').notNull(),
    remoteId: text('remote_id'),
    state: syncEffectState('state').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    ...timestamps,
  },
  (t) => [uniqueIndex('sync_effects_subject_kind_key').on(t.companyId, t.subjectType, t.subjectId, t.kind)],
);

/**
 * The note (or activity) that holds one chat's transcript for one day (UTC). A day too large for one
 * note rolls to continuation parts (`part` 2, 3…), each its own note.
 */
export const transcripts = pgTable(
  'transcripts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: pipedriveId('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    chatId: uuid('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    /** 1 for the day's first note; 2, 3… for continuation notes (transcript-render.ts). */
    part: integer('part').notNull().default(1),
    noteId: pipedriveId('note_id'),
    activityId: pipedriveId('activity_id'),
    lastMessageId: uuid('last_message_id').references(() => messages.id, { onDelete: 'set null' }),
    /** SHA-256 of the content last written to Pipedrive: an unchanged transcript costs no write. */
    contentHash: text('content_hash'),
    /**
     * Fingerprint of the day's messages (ids and `updated_at`) the written content reflects: a day
     * whose fingerprint differs has something Pipedrive does not show yet (transcripts.repository.ts).
     */
    syncedFingerprint: text('synced_fingerprint'),
    ...timestamps,
  },
  (t) => [uniqueIndex('transcripts_company_chat_day_part_key').on(t.companyId, t.chatId, t.day, t.part)],
);

/** What an admin reads: who did what, and every sync decision (created, skipped and why, failed). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    companyId: pipedriveId('company_id'),
    /** One format, made by `services/audit/actor.ts`: `member:<id>`, `pipedrive_user:<companyId>:<userId>`, `pipedrive`, `system`. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_workspace_at_idx').on(t.workspaceId, t.at),
    index('audit_log_company_at_idx').on(t.companyId, t.at),
  ],
);
