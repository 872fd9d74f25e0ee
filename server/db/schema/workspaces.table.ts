import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { pipedriveId, timestamps } from './columns.ts';

/** A workspace is Parley's tenant: its team, WhatsApp numbers, chats and messages. */
export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  ...timestamps,
});

/** A person who can sign in to the Parley dashboard (one login across workspaces). */
export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stored lower-cased; the login identifier. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** scrypt hash; null for accounts that only ever signed in with Pipedrive. */
    passwordHash: text('password_hash'),
    emailVerified: boolean('email_verified').notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex('accounts_email_key').on(t.email)],
);

export const memberRole = pgEnum('member_role', ['owner', 'admin', 'member']);

/** An account's membership in a workspace, with its role there. */
export const members = pgTable(
  'members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    role: memberRole('role').notNull().default('member'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('members_workspace_account_key').on(t.workspaceId, t.accountId),
    index('members_account_idx').on(t.accountId),
  ],
);

/** Dashboard sessions live in PostgreSQL so any instance can serve any request. */
export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the session token; the token itself is only ever in the cookie. */
    tokenHash: text('token_hash').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    ...timestamps,
  },
  (t) => [index('sessions_account_idx').on(t.accountId), index('sessions_expires_idx').on(t.expiresAt)],
);

export const invitationStatus = pgEnum('invitation_status', ['pending', 'accepted', 'revoked']);

/** An admin's invitation by email; the link's token is single-use and stored only as a hash. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: memberRole('role').notNull().default('member'),
    tokenHash: text('token_hash').notNull(),
    /**
     * The link's token, encrypted with the key ring (AAD bound to the invitation's id), so admins can
     * copy the link again until it is used or revoked. Lookups go by `token_hash` only.
     */
    tokenCiphertext: text('token_ciphertext'),
    status: invitationStatus('status').notNull().default('pending'),
    invitedByMemberId: uuid('invited_by_member_id').references(() => members.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('invitations_token_hash_key').on(t.tokenHash),
    uniqueIndex('invitations_pending_email_key')
      .on(t.workspaceId, t.email)
      .where(sql`${t.status} = 'pending'`),
  ],
);

export const joinRequestStatus = pgEnum('join_request_status', ['pending', 'approved', 'declined']);

/** Someone asking to join a workspace, e.g. a Pipedrive user whose email matched no member. */
export const joinRequests = pgTable(
  'join_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    name: text('name'),
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'set null' }),
    pipedriveCompanyId: pipedriveId('pipedrive_company_id'),
    pipedriveUserId: pipedriveId('pipedrive_user_id'),
    status: joinRequestStatus('status').notNull().default('pending'),
    decidedByMemberId: uuid('decided_by_member_id').references(() => members.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('join_requests_pending_email_key')
      .on(t.workspaceId, t.email)
      .where(sql`${t.status} = 'pending'`),
  ],
);

export const emailTokenPurpose = pgEnum('email_token_purpose', [
  'sign_up',
  'verify_email',
  'reset_password',
  'change_email',
]);

/**
 * Single-use links Parley mails: confirm a sign-up, verify an address, reset a password, confirm a
 * new address. Only the token's hash is stored; a link proves the holder reads `email`.
 */
export const emailTokens = pgTable(
  'email_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    purpose: emailTokenPurpose('purpose').notNull(),
    /** The address the link was sent to (for a change: the new address). */
    email: text('email').notNull(),
    /** Null for a sign-up: the account exists only once its address is confirmed. */
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
    /** A sign-up's name, workspace name and password hash, kept until it is confirmed. */
    signUp: jsonb('sign_up').$type<{ name: string; workspaceName: string | null; passwordHash: string }>(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('email_tokens_token_hash_key').on(t.tokenHash),
    index('email_tokens_account_idx').on(t.accountId),
    index('email_tokens_expires_idx').on(t.expiresAt),
  ],
);
