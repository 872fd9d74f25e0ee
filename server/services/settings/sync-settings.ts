import { eq, sql } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { Db } from '../../db/client.ts';
import { companySettings } from '../../db/schema/index.ts';

/**
 * A company's sync settings (product.md §4): what the sync engine creates in Pipedrive and how it
 * writes the timeline. Edited by Pipedrive admins in the app-settings page; read by the sync jobs.
 */
export const SyncSettingsSchema = Type.Object(
  {
    autoCreatePersons: Type.Boolean(),
    skipGroups: Type.Boolean(),
    /** Numbers or prefixes in E.164 (`+1800`, `+34600111222`) that are never synced. */
    exclusions: Type.Array(Type.String({ pattern: '^\\+[0-9]{1,15}$' }), { maxItems: 500 }),
    createOnNewChat: Type.Union([Type.Literal('nothing'), Type.Literal('deal'), Type.Literal('lead')]),
    dealPipelineId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    dealStageId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    dealTitleTemplate: Type.String({ minLength: 1, maxLength: 200 }),
    leadTitleTemplate: Type.String({ minLength: 1, maxLength: 200 }),
    leadLabelId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    ownerRule: Type.Union([Type.Literal('channel_owner'), Type.Literal('fixed_user'), Type.Literal('round_robin')]),
    fixedOwnerUserId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    timelineMode: Type.Union([Type.Literal('note'), Type.Literal('activity')]),
  },
  { additionalProperties: false },
);

export type SyncSettings = Static<typeof SyncSettingsSchema>;

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  autoCreatePersons: true,
  skipGroups: true,
  exclusions: [],
  createOnNewChat: 'nothing',
  dealPipelineId: null,
  dealStageId: null,
  dealTitleTemplate: 'WhatsApp: {{contact_name}}',
  leadTitleTemplate: 'WhatsApp: {{contact_name}}',
  leadLabelId: null,
  ownerRule: 'channel_owner',
  fixedOwnerUserId: null,
  timelineMode: 'note',
};

export function createSyncSettingsService(deps: { db: Db }) {
  return {
    /** Stored values over defaults, so settings added later get their default for old companies. */
    async get(companyId: number): Promise<SyncSettings> {
      const [row] = await deps.db
        .select({ settings: companySettings.settings })
        .from(companySettings)
        .where(eq(companySettings.companyId, companyId));
      const merged = { ...DEFAULT_SYNC_SETTINGS, ...(row?.settings ?? {}) };
      return Value.Check(SyncSettingsSchema, merged) ? merged : DEFAULT_SYNC_SETTINGS;
    },
    async save(companyId: number, settings: SyncSettings, memberId: string | null): Promise<SyncSettings> {
      await deps.db
        .insert(companySettings)
        .values({ companyId, settings, updatedByMemberId: memberId })
        .onConflictDoUpdate({
          target: companySettings.companyId,
          set: { settings, updatedByMemberId: memberId, updatedAt: sql`now()` },
        });
      return settings;
    },
  };
}

export type SyncSettingsService = ReturnType<typeof createSyncSettingsService>;
