import { and, desc, eq, gte, inArray, like, lt, or } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { auditLog } from '../../db/schema/index.ts';
import { actionsOfGroup, type AuditAction, type AuditGroup } from '../../../contracts/audit-actions.ts';
import type { Actor } from './actor.ts';

export interface AuditEntry {
  workspaceId?: string | null;
  companyId?: number | null;
  actor: Actor;
  /** One of the catalogue's events (contracts/audit-actions.ts): each has a sentence in the dashboard. */
  action: AuditAction;
  subjectType?: string;
  subjectId?: string;
  detail?: Record<string, unknown>;
}

/** A workspace's log: its own entries and its Pipedrive company's (some are recorded with the company only). */
export interface AuditScope {
  workspaceId?: string;
  companyId?: number;
}

export interface AuditPage {
  limit?: number;
  before?: number;
  action?: string;
  group?: AuditGroup;
  actor?: string;
  since?: Date;
  until?: Date;
  subjectId?: string;
}

function inScope(scope: AuditScope) {
  const conditions = [
    scope.workspaceId === undefined ? undefined : eq(auditLog.workspaceId, scope.workspaceId),
    scope.companyId === undefined ? undefined : eq(auditLog.companyId, scope.companyId),
  ].filter((condition) => condition !== undefined);
  return conditions.length === 0 ? undefined : or(...conditions);
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
     * by exact name, or by prefix when it ends with `.` (`sync.`, `transcript.`); `group` by the
     * catalogue's group; `actor` exactly; `since` (inclusive) and `until` (exclusive) by time.
     */
    async list(scope: AuditScope, page: AuditPage = {}) {
      const filters = [
        inScope(scope),
        page.before === undefined ? undefined : lt(auditLog.id, page.before),
        page.action === undefined
          ? undefined
          : page.action.endsWith('.')
            ? like(auditLog.action, `${page.action.replace(/[%_\\]/g, '\\$&')}%`)
            : eq(auditLog.action, page.action),
        page.group === undefined ? undefined : inArray(auditLog.action, actionsOfGroup(page.group)),
        page.actor === undefined ? undefined : eq(auditLog.actor, page.actor),
        page.since === undefined ? undefined : gte(auditLog.at, page.since),
        page.until === undefined ? undefined : lt(auditLog.at, page.until),
        page.subjectId === undefined ? undefined : eq(auditLog.subjectId, page.subjectId),
      ].filter((condition) => condition !== undefined);
      return db
        .select()
        .from(auditLog)
        .where(filters.length === 0 ? undefined : and(...filters))
        .orderBy(desc(auditLog.id))
        .limit(page.limit ?? 100);
    },
    /** Every actor that appears in the scope's log (the "who" filter's choices). */
    async actors(scope: AuditScope): Promise<string[]> {
      const rows = await db.selectDistinct({ actor: auditLog.actor }).from(auditLog).where(inScope(scope));
      return rows.map((row) => row.actor).sort();
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
