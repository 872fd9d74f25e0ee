import { and, isNotNull, lt } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import {
  emailTokens,
  events,
  inboxEvents,
  oauthStates,
  pendingInstalls,
  rateLimitCounters,
  sessions,
} from '../../db/schema/index.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface MaintenanceRetention {
  /** Panel events only serve SSE catch-up after short disconnects. */
  eventsDays: number;
  /** Raw webhook payloads are kept a while after processing, for support and replays. */
  processedInboxDays: number;
}

export const DEFAULT_RETENTION: MaintenanceRetention = { eventsDays: 7, processedInboxDays: 30 };

export interface CleanupResult {
  sessions: number;
  events: number;
  inboxEvents: number;
  /** Expired OAuth states, parked installs, mailed links and rate-limit windows. */
  expiredSecurityRecords: number;
}

export function createMaintenanceService(deps: { db: Db; clock: Clock; retention?: MaintenanceRetention }) {
  const retention = deps.retention ?? DEFAULT_RETENTION;
  return {
    async cleanup(): Promise<CleanupResult> {
      const now = deps.clock.now();
      const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
      const expiredSessions = await deps.db
        .delete(sessions)
        .where(lt(sessions.expiresAt, now))
        .returning({ id: sessions.tokenHash });
      const oldEvents = await deps.db
        .delete(events)
        .where(lt(events.createdAt, before(retention.eventsDays)))
        .returning({ seq: events.seq });
      const oldInbox = await deps.db
        .delete(inboxEvents)
        .where(
          and(isNotNull(inboxEvents.processedAt), lt(inboxEvents.processedAt, before(retention.processedInboxDays))),
        )
        .returning({ id: inboxEvents.id });
      const states = await deps.db
        .delete(oauthStates)
        .where(lt(oauthStates.expiresAt, now))
        .returning({ key: oauthStates.nonceHash });
      const installs = await deps.db
        .delete(pendingInstalls)
        .where(lt(pendingInstalls.expiresAt, now))
        .returning({ id: pendingInstalls.id });
      const tokens = await deps.db
        .delete(emailTokens)
        .where(lt(emailTokens.expiresAt, now))
        .returning({ id: emailTokens.id });
      const windows = await deps.db
        .delete(rateLimitCounters)
        .where(lt(rateLimitCounters.expiresAt, now))
        .returning({ key: rateLimitCounters.key });
      return {
        sessions: expiredSessions.length,
        events: oldEvents.length,
        inboxEvents: oldInbox.length,
        expiredSecurityRecords: states.length + installs.length + tokens.length + windows.length,
      };
    },
  };
}

export type MaintenanceService = ReturnType<typeof createMaintenanceService>;
