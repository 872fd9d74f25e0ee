import { eq, sql } from 'drizzle-orm';
import * as Schema from 'typebox/schema';
import type { Db } from '../../db/client.ts';
import { companySettings } from '../../db/schema/index.ts';
import { SyncSettingsSchema, type SyncSettings } from '../../../contracts/panel.schemas.ts';
import { DEFAULT_SYNC_SETTINGS } from '../../../contracts/sync-settings-defaults.ts';

/** The shape is part of the panel contract; the sync engine reads it from here too. */
export { DEFAULT_SYNC_SETTINGS };
export type { SyncSettings };

export function createSyncSettingsService(deps: { db: Db }) {
  return {
    /** Stored values over defaults, so settings added later get their default for old companies. */
    async get(companyId: number): Promise<SyncSettings> {
      const [row] = await deps.db
        .select({ settings: companySettings.settings })
        .from(companySettings)
        .where(eq(companySettings.companyId, companyId));
      const merged = { ...DEFAULT_SYNC_SETTINGS, ...(row?.settings ?? {}) };
      return Schema.Check(SyncSettingsSchema, merged) ? merged : DEFAULT_SYNC_SETTINGS;
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
