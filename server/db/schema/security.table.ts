import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { pipedriveId, timestamps } from './columns.ts';

/**
 * OAuth `state` values Parley minted, by nonce hash. A state is accepted once (consumed_at) and only
 * before it expires, so a replayed or stolen callback URL does nothing.
 */
export const oauthStates = pgTable(
  'oauth_states',
  {
    nonceHash: text('nonce_hash').primaryKey(),
    purpose: text('purpose').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [index('oauth_states_expires_idx').on(t.expiresAt)],
);

/**
 * A Marketplace install that reached the callback while its admin still had to sign in to Parley:
 * the code was exchanged at once (codes live 5 minutes) and the grant waits here, encrypted, until
 * the admin signs in and the install resumes.
 */
export const pendingInstalls = pgTable(
  'pending_installs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: pipedriveId('company_id').notNull(),
    pipedriveUserId: pipedriveId('pipedrive_user_id').notNull(),
    /** The `/users/me` facts the install needs (name, email, company name and domain, admin). */
    identity: jsonb('identity').$type<Record<string, unknown>>().notNull(),
    /** Encrypted JSON of the token response. */
    grantCiphertext: text('grant_ciphertext').notNull(),
    /** SHA-256 of the nonce cookie set in the browser that started the install; only it may resume. */
    browserNonceHash: text('browser_nonce_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [index('pending_installs_expires_idx').on(t.expiresAt)],
);

/**
 * Fixed-window counters shared by every instance: login attempts, Pipedrive's per-token burst
 * window. One row per key and window; old windows are deleted by maintenance.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: text('key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index('rate_limit_counters_expires_idx').on(t.expiresAt)],
);
