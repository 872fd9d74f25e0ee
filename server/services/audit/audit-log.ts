import { desc, eq, or } from 'drizzle-orm';
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
    async list(scope: { workspaceId?: string; companyId?: number }, limit = 100) {
      const conditions = [
        scope.workspaceId === undefined ? undefined : eq(auditLog.workspaceId, scope.workspaceId),
        scope.companyId === undefined ? undefined : eq(auditLog.companyId, scope.companyId),
      ].filter((condition) => condition !== undefined);
      return db
        .select()
        .from(auditLog)
        .where(conditions.length === 0 ? undefined : or(...conditions))
        .orderBy(desc(auditLog.id))
        .limit(limit);
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
