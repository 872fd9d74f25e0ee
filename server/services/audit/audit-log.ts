import { and, desc, eq, like, lt, or } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { auditLog } from '../../db/schema/index.ts';
import type { Actor } from './actor.ts';

export interface AuditEntry {
  workspaceId?: string | null;
  companyId?: number | null;
  actor: Actor;
  action: string;
  subjectType?: string;
  subjectId?: string;
  detail?: Record<string, unknown>;
}

/** The record an admin reads: who connected, disconnected, uninstalled, and every sync decision. */
export function createAuditLog(db: DbOrTx) {
  return {
    async record(entry: AuditEntry): Promise<void> {
      await db.insert(auditLog).values({
        workspaceId: entry.workspaceId ?? null,
        companyId: entry.companyId ?? null,
        actor: entry.actor,
        action: entry.action,
        subjectType: entry.subjectType ?? null,
        subjectId: entry.subjectId ?? null,
        detail: entry.detail ?? {},
      });
    },
    /**
     * Newest first, a page at a time: `before` is the last id of the previous page. `action` filters
     * by exact name, or by prefix when it ends with `.` (`sync.`, `transcript.`).
     */
    async list(
      scope: { workspaceId?: string; companyId?: number },
      page: { limit?: number; before?: number; action?: string; subjectId?: string } = {},
    ) {
      const conditions = [
        scope.workspaceId === undefined ? undefined : eq(auditLog.workspaceId, scope.workspaceId),
        scope.companyId === undefined ? undefined : eq(auditLog.companyId, scope.companyId),
      ].filter((condition) => condition !== undefined);
      const filters = [
        conditions.length === 0 ? undefined : or(...conditions),
        page.before === undefined ? undefined : lt(auditLog.id, page.before),
        page.action === undefined
          ? undefined
          : page.action.endsWith('.')
            ? like(auditLog.action, `${page.action.replace(/[%_\\]/g, '\\$&')}%`)
            : eq(auditLog.action, page.action),
        page.subjectId === undefined ? undefined : eq(auditLog.subjectId, page.subjectId),
      ].filter((condition) => condition !== undefined);
      return db
        .select()
        .from(auditLog)
        .where(filters.length === 0 ? undefined : and(...filters))
        .orderBy(desc(auditLog.id))
        .limit(page.limit ?? 100);
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
