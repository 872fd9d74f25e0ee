import { sql } from 'drizzle-orm';
import { index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { pipedriveId, timestamps } from './columns.ts';
import { companies } from './pipedrive.table.ts';
import { chats } from './whatsapp.table.ts';
import { workspaces } from './workspaces.table.ts';

/**
 * Phone (E.164) → Pipedrive person, per company: what a search found or Parley created, so steady
 * traffic does not search Pipedrive on every message. Pipedrive webhooks keep it right (a changed
 * phone moves the entry, a deleted or merged person removes or moves it).
 */
export const phonePersonCache = pgTable(
  'phone_person_cache',
  {
    companyId: pipedriveId('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    e164: text('e164').notNull(),
    personId: pipedriveId('person_id').notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.e164] }),
    index('phone_person_cache_person_idx').on(t.companyId, t.personId),
  ],
);

export const unmatchedStatus = pgEnum('unmatched_status', ['open', 'resolved']);

/**
 * Chats whose person Parley could not decide alone: several Pipedrive persons share the number, or
 * the sender is known only by a business-scoped id. A human chooses once; the choice is kept on the chat.
 */
export const unmatchedChats = pgTable(
  'unmatched_chats',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: pipedriveId('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    chatId: uuid('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    /** `several_matches` or `no_phone`. */
    reason: text('reason').notNull(),
    /** The persons the phone search found (id, name, phones), for the chooser. */
    candidates: jsonb('candidates').$type<{ id: number; name: string; phones: string[] }[]>().notNull().default([]),
    status: unmatchedStatus('status').notNull().default('open'),
    chosenPersonId: pipedriveId('chosen_person_id'),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('unmatched_chats_open_chat_key')
      .on(t.companyId, t.chatId)
      .where(sql`${t.status} = 'open'`),
    index('unmatched_chats_workspace_idx').on(t.workspaceId, t.status),
  ],
);

/**
 * The company's Pipedrive webhook subscription (person change/delete, deal and lead delete): the
 * Basic-auth password Pipedrive sends back (encrypted, bound to the company) and the webhook ids.
 */
export const pipedriveWebhookSubscriptions = pgTable('pipedrive_webhook_subscriptions', {
  companyId: pipedriveId('company_id')
    .primaryKey()
    .references(() => companies.id, { onDelete: 'cascade' }),
  passwordCiphertext: text('password_ciphertext').notNull(),
  webhookIds: jsonb('webhook_ids').$type<number[]>().notNull().default([]),
  subscribedAt: timestamp('subscribed_at', { withTimezone: true }),
  ...timestamps,
});
