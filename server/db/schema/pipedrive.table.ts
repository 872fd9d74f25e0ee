import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  date,
} from 'drizzle-orm/pg-core';
import { pipedriveId, timestamps } from './columns.ts';
import { members, workspaces } from './workspaces.table.ts';

export const companyStatus = pgEnum('company_status', ['connected', 'disconnected', 'uninstalled']);

/** A Pipedrive company, linked to at most one workspace at a time. */
export const companies = pgTable(
  'companies',
  {
    /** Pipedrive's `company_id`. */
    id: pipedriveId('id').primaryKey(),
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    /** e.g. `acme` for acme.pipedrive.com (for links back into Pipedrive). */
    domain: text('domain'),
    /** Latest `api_domain` from a token response: the base of every API call for this company. */
    apiDomain: text('api_domain'),
    status: companyStatus('status').notNull().default('connected'),
    disconnectedAt: timestamp('disconnected_at', { withTimezone: true }),
    /** When personal data is purged unless the company reconnects first. */
    purgeAfter: timestamp('purge_after', { withTimezone: true }),
    /** Set while the daily API budget is exhausted; background sync waits until then. */
    budgetPausedUntil: timestamp('budget_paused_until', { withTimezone: true }),
    /**
     * Since when every Pipedrive call of this company has been refused with 429 (cleared by any
     * success). 429s that outlast every burst window mean the daily budget is gone even when
     * Pipedrive sends no daily-budget header (budget-meter.ts).
     */
    rateLimitedSince: timestamp('rate_limited_since', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('companies_workspace_key')
      .on(t.workspaceId)
      .where(sql`${t.workspaceId} is not null`),
  ],
);

export const connectionState = pgEnum('connection_state', ['active', 'reauth_required', 'revoked']);

/**
 * One Pipedrive OAuth grant: Pipedrive authorizes per (company, user). The grant of the admin who
 * holds the organization connection also serves as that admin's personal connection, so both roles
 * are flags on one row and a refresh never invalidates a twin.
 */
export const connections = pgTable(
  'connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: pipedriveId('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    pipedriveUserId: pipedriveId('pipedrive_user_id').notNull(),
    memberId: uuid('member_id').references(() => members.id, { onDelete: 'set null' }),
    /** This grant is the company's organization connection (used for all background work). */
    isOrgConnection: boolean('is_org_connection').notNull().default(false),
    /** The user's personal connection (live chat, sending) is on. */
    isPersonalConnection: boolean('is_personal_connection').notNull().default(true),
    state: connectionState('state').notNull().default('active'),
    /** AES-256-GCM ciphertexts (see secret-box.ts); wiped when the grant ends. */
    accessTokenCiphertext: text('access_token_ciphertext'),
    refreshTokenCiphertext: text('refresh_token_ciphertext'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    scopes: text('scopes'),
    apiDomain: text('api_domain'),
    pipedriveUserName: text('pipedrive_user_name'),
    pipedriveUserEmail: text('pipedrive_user_email'),
    isPipedriveAdmin: boolean('is_pipedrive_admin').notNull().default(false),
    connectedAt: timestamp('connected_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastRefreshedAt: timestamp('last_refreshed_at', { withTimezone: true }),
    refreshFailureCount: integer('refresh_failure_count').notNull().default(0),
    lastRefreshFailureAt: timestamp('last_refresh_failure_at', { withTimezone: true }),
    /**
     * The instance refreshing this grant right now, until when (token-service.ts). A lease instead
     * of a lock held in a transaction, so no database session waits on Pipedrive's token endpoint.
     */
    refreshLeaseId: uuid('refresh_lease_id'),
    refreshLeaseUntil: timestamp('refresh_lease_until', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('connections_company_user_key').on(t.companyId, t.pipedriveUserId),
    uniqueIndex('connections_one_org_per_company_key')
      .on(t.companyId)
      .where(sql`${t.isOrgConnection}`),
    index('connections_member_idx').on(t.memberId),
  ],
);

/** The company's sync settings (auto-creation, deal/lead, owner rule, note or activity, exclusions). */
export const companySettings = pgTable('company_settings', {
  companyId: pipedriveId('company_id')
    .primaryKey()
    .references(() => companies.id, { onDelete: 'cascade' }),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  updatedByMemberId: uuid('updated_by_member_id').references(() => members.id, { onDelete: 'set null' }),
  ...timestamps,
});

/** Pipedrive API tokens and requests spent per company, day and feature (the budget meter). */
export const budgetUsage = pgTable(
  'budget_usage',
  {
    companyId: pipedriveId('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    feature: text('feature').notNull(),
    tokens: integer('tokens').notNull().default(0),
    requests: integer('requests').notNull().default(0),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.companyId, t.day, t.feature] })],
);
