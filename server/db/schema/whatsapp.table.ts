import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  customType,
  integer,
  index,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { pipedriveId, timestamps } from './columns.ts';
import { members, workspaces } from './workspaces.table.ts';

export const channelProvider = pgEnum('channel_provider', ['whatsapp_cloud']);
export const channelStatus = pgEnum('channel_status', ['active', 'disabled']);

/** One WhatsApp business number connected to a workspace through a provider. */
export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    provider: channelProvider('provider').notNull(),
    displayName: text('display_name').notNull(),
    /** The business number in E.164. */
    phoneNumber: text('phone_number'),
    /** Cloud API: phone-number id (the id messages are sent from). */
    externalId: text('external_id').notNull(),
    /** Cloud API: WhatsApp Business Account id (templates live there). */
    externalAccountId: text('external_account_id'),
    /** Encrypted JSON of the provider's secrets (access token, app secret, verify token). */
    credentialsCiphertext: text('credentials_ciphertext').notNull(),
    ownerMemberId: uuid('owner_member_id').references(() => members.id, { onDelete: 'set null' }),
    status: channelStatus('status').notNull().default('active'),
    /** When Meta's GET verify handshake last succeeded against this channel's webhook URL. */
    webhookVerifiedAt: timestamp('webhook_verified_at', { withTimezone: true }),
    /** When the app was subscribed to the WABA (`POST /{waba-id}/subscribed_apps`). */
    appSubscribedAt: timestamp('app_subscribed_at', { withTimezone: true }),
    /** When the first signed webhook arrived (proof that Meta delivers to Parley). */
    lastWebhookAt: timestamp('last_webhook_at', { withTimezone: true }),
    templatesSyncedAt: timestamp('templates_synced_at', { withTimezone: true }),
    /** The last template sync's failure in words; null after a successful sync. */
    templatesSyncError: text('templates_sync_error'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('channels_provider_external_key').on(t.provider, t.externalId),
    index('channels_workspace_idx').on(t.workspaceId),
  ],
);

/** Message templates, synced from the provider. */
export const templates = pgTable(
  'templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    language: text('language').notNull(),
    status: text('status').notNull(),
    category: text('category'),
    components: jsonb('components').$type<unknown[]>().notNull().default([]),
    syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
    ...timestamps,
  },
  (t) => [uniqueIndex('templates_channel_name_language_key').on(t.channelId, t.name, t.language)],
);

/** A WhatsApp contact; identified by whichever of E.164 number, wa_id, business-scoped id is known. */
export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    e164: text('e164'),
    waId: text('wa_id'),
    businessScopedId: text('business_scoped_id'),
    profileName: text('profile_name'),
    isGroup: boolean('is_group').notNull().default(false),
    /** A WhatsApp group's id (Groups API `group_id`); set only on group contacts. */
    groupId: text('group_id'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('contacts_workspace_e164_key')
      .on(t.workspaceId, t.e164)
      .where(sql`${t.e164} is not null`),
    uniqueIndex('contacts_workspace_wa_id_key')
      .on(t.workspaceId, t.waId)
      .where(sql`${t.waId} is not null`),
    uniqueIndex('contacts_workspace_bsid_key')
      .on(t.workspaceId, t.businessScopedId)
      .where(sql`${t.businessScopedId} is not null`),
    uniqueIndex('contacts_workspace_group_key')
      .on(t.workspaceId, t.groupId)
      .where(sql`${t.groupId} is not null`),
  ],
);

/** The conversation of one channel with one contact; holds the sticky links to Pipedrive. */
export const chats = pgTable(
  'chats',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    personId: pipedriveId('person_id'),
    dealId: pipedriveId('deal_id'),
    /** Pipedrive lead ids are UUID strings. */
    leadId: text('lead_id'),
    pinnedPersonId: pipedriveId('pinned_person_id'),
    pinnedDealId: pipedriveId('pinned_deal_id'),
    /** A group chat: stored, but the sync engine skips it unless the company enables group sync. */
    isGroup: boolean('is_group').notNull().default(false),
    lastInboundAt: timestamp('last_inbound_at', { withTimezone: true }),
    lastOutboundAt: timestamp('last_outbound_at', { withTimezone: true }),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('chats_channel_contact_key').on(t.channelId, t.contactId),
    index('chats_person_idx').on(t.workspaceId, t.personId),
    index('chats_deal_idx').on(t.workspaceId, t.dealId),
  ],
);

export const messageDirection = pgEnum('message_direction', ['inbound', 'outbound']);
/** Ordered by rank: a status only ever moves forward (late webhooks cannot move it back). */
export const messageStatus = pgEnum('message_status', ['received', 'accepted', 'sent', 'delivered', 'read', 'failed']);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    chatId: uuid('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    /** The provider's id (wamid); unique per channel, the dedupe key for inbound messages. */
    providerMessageId: text('provider_message_id'),
    direction: messageDirection('direction').notNull(),
    type: text('type').notNull(),
    body: text('body'),
    media: jsonb('media').$type<Record<string, unknown>>(),
    /** Reply-to, reaction target, template button payload… */
    context: jsonb('context').$type<Record<string, unknown>>(),
    /** Type-specific content as Meta sent it: location, contacts, interactive reply, reaction, template… */
    content: jsonb('content').$type<Record<string, unknown>>(),
    status: messageStatus('status').notNull(),
    error: jsonb('error').$type<{ code: number | string; title: string; detail?: string }>(),
    sentByPipedriveUserId: pipedriveId('sent_by_pipedrive_user_id'),
    sentByMemberId: uuid('sent_by_member_id').references(() => members.id, { onDelete: 'set null' }),
    /** When the message happened (provider timestamp), not when we stored it. */
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('messages_channel_provider_id_key')
      .on(t.channelId, t.providerMessageId)
      .where(sql`${t.providerMessageId} is not null`),
    index('messages_chat_sent_idx').on(t.chatId, t.sentAt),
  ],
);

/** Panel event log: SSE streams catch up from here by `Last-Event-ID` (the seq). */
export const events = pgTable(
  'events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    companyId: pipedriveId('company_id'),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('events_workspace_seq_idx').on(t.workspaceId, t.seq)],
);

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Media of a message, downloaded from the provider (its URLs live minutes) and kept here for panels. */
export const media = pgTable('media', {
  messageId: uuid('message_id')
    .primaryKey()
    .references(() => messages.id, { onDelete: 'cascade' }),
  workspaceId: uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  mimeType: text('mime_type').notNull(),
  filename: text('filename'),
  sizeBytes: integer('size_bytes').notNull(),
  sha256: text('sha256').notNull(),
  bytes: bytea('bytes').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Statuses that arrived before the message they describe (a status can beat the send response, and
 * webhooks arrive out of order). Applied and deleted when the message's wamid is stored.
 */
export const pendingStatuses = pgTable(
  'pending_statuses',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    providerMessageId: text('provider_message_id').notNull(),
    status: text('status').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('pending_statuses_message_status_key').on(t.channelId, t.providerMessageId, t.status)],
);
