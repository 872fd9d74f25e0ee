import { and, asc, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { events } from '../../db/schema/index.ts';
import type { EventBus } from '../events/event-bus.ts';
import { workspaceEventsTopic } from '../whatsapp/chat-events.ts';

/**
 * The panel event log. Whoever changes what a panel shows (a message arrived, a status moved, a
 * chat was read or pinned) appends a row in the same transaction as the change (`appendEvent`,
 * events/event-log.ts), then, after the
 * commit, publishes the row's seq on the event bus. Live streams on every instance read the rows
 * (the bus carries ids only) and a reconnecting panel catches up from the table by `Last-Event-ID`.
 */
export { workspaceEventsTopic } from '../whatsapp/chat-events.ts';

export interface PanelEventRow {
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/** Tells every instance's streams that the workspace has events up to `seq` (after the commit). */
export async function announcePanelEvent(bus: EventBus, workspaceId: string, seq: number): Promise<void> {
  await bus.publish(workspaceEventsTopic(workspaceId), { seq });
}

/** Events a company's viewers may see: the workspace's, without those addressed to another company. */
function visibleTo(workspaceId: string, companyId: number) {
  return and(eq(events.workspaceId, workspaceId), or(isNull(events.companyId), eq(events.companyId, companyId)));
}

export function createPanelEventsReader(db: DbOrTx) {
  return {
    /** Events after `afterSeq`, oldest first, at most `limit`. */
    async after(workspaceId: string, companyId: number, afterSeq: number, limit: number): Promise<PanelEventRow[]> {
      return db
        .select({ seq: events.seq, type: events.type, payload: events.payload, createdAt: events.createdAt })
        .from(events)
        .where(and(visibleTo(workspaceId, companyId), gt(events.seq, afterSeq)))
        .orderBy(asc(events.seq))
        .limit(limit);
    },
    /** The newest seq of the workspace (0 when it has none): where a fresh stream starts. */
    async latestSeq(workspaceId: string): Promise<number> {
      const [row] = await db
        .select({ seq: events.seq })
        .from(events)
        .where(eq(events.workspaceId, workspaceId))
        .orderBy(desc(events.seq))
        .limit(1);
      return row?.seq ?? 0;
    },
  };
}
