import { defineQueue, type QueueDefinition } from './job-queue.ts';

/** Housekeeping: expired sessions, old panel events, processed webhook payloads. */
export const maintenanceCleanupQueue = defineQueue<{ reason: 'schedule' | 'manual' }>('maintenance.cleanup', {
  retryLimit: 3,
  retryBackoff: true,
  expireInSeconds: 600,
  policy: 'singleton',
});

/** Every queue Parley uses; each instance creates or updates them at start-up. */
export const ALL_QUEUES: readonly QueueDefinition[] = [maintenanceCleanupQueue];

/** Recurring jobs (cron, UTC). */
export const SCHEDULES: readonly { queue: QueueDefinition; cron: string }[] = [
  { queue: maintenanceCleanupQueue, cron: '17 3 * * *' },
];
