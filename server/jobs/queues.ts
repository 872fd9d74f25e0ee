import { defineQueue, type QueueDefinition } from './job-queue.ts';

/** Housekeeping: expired sessions, OAuth states, parked installs and rate-limit windows; old panel events and processed webhook payloads. */
export const maintenanceCleanupQueue = defineQueue<{ reason: 'schedule' | 'manual' }>('maintenance.cleanup', {
  retryLimit: 3,
  retryBackoff: true,
  expireInSeconds: 600,
  policy: 'singleton',
});

/**
 * Revokes a grant at Pipedrive after Parley ended a connection. The encrypted refresh token travels
 * in the job (the connection row is wiped at once) and is deleted with the job soon after it completes.
 */
export const revokeGrantQueue = defineQueue<{
  companyId: number;
  pipedriveUserId: number;
  refreshTokenCiphertext: string;
  /** The org grant's Pipedrive webhooks, deleted (best effort) with a last token before the revoke. */
  unsubscribeWebhookIds?: number[];
}>('pipedrive.revoke-grant', {
  retryLimit: 8,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 3600,
  expireInSeconds: 60,
  deleteAfterSeconds: 60,
});

/** Deletes what Parley holds from Pipedrive for companies disconnected longer than the retention period. */
export const purgeDisconnectedQueue = defineQueue<{ reason: 'schedule' | 'manual' }>('connections.purge', {
  retryLimit: 3,
  retryBackoff: true,
  expireInSeconds: 900,
  policy: 'singleton',
});

/**
 * Brings one chat's Pipedrive side up to date: identity resolution, auto-creation and the day's
 * transcript. Enqueued (in the same transaction) whenever a chat gains a message or a status; the
 * sync engine coalesces what arrives while a job for the chat is queued.
 */
export const syncChatQueue = defineQueue<{ chatId: string }>('sync.chat', {
  retryLimit: 10,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 900,
  expireInSeconds: 120,
});

/** Subscribes Parley to the company's Pipedrive webhooks (person change/delete, deal and lead delete) after an org connect. */
export const pipedriveSubscribeQueue = defineQueue<{ companyId: number }>('pipedrive.webhooks-subscribe', {
  retryLimit: 8,
  retryDelay: 10,
  retryBackoff: true,
  retryDelayMax: 3600,
  expireInSeconds: 120,
  policy: 'singleton',
});

/** Applies one stored Pipedrive webhook event (inbox row) to chat links and the phone cache. */
export const pipedriveEventQueue = defineQueue<{ inboxEventId: number }>('pipedrive.webhook-event', {
  retryLimit: 10,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 900,
  expireInSeconds: 120,
});

/**
 * Processes stored WhatsApp webhook items (inbox rows): contacts, chats, messages, statuses. One job
 * per webhook request, enqueued in the transaction that stored its rows.
 */
export const whatsappInboxQueue = defineQueue<{ inboxIds: number[] }>('whatsapp.process-inbox', {
  retryLimit: 10,
  retryDelay: 2,
  retryBackoff: true,
  retryDelayMax: 600,
  expireInSeconds: 120,
});

/**
 * Downloads an inbound message's media into Parley's storage. Each attempt resolves a fresh URL
 * (Meta's live 5 minutes), so retries are safe; Meta keeps media for about 14 days.
 */
export const whatsappMediaQueue = defineQueue<{ messageId: string }>('whatsapp.fetch-media', {
  retryLimit: 8,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 3600,
  expireInSeconds: 300,
});

/** Re-reads a channel's templates (one channel), or every active channel's (`channelId` absent: the schedule). */
export const whatsappTemplatesQueue = defineQueue<{ channelId?: string; reason: 'schedule' | 'webhook' | 'manual' }>(
  'whatsapp.sync-templates',
  { retryLimit: 3, retryBackoff: true, expireInSeconds: 600 },
);

/** Every queue Parley uses; each instance creates or updates them at start-up. */
export const ALL_QUEUES: readonly QueueDefinition[] = [
  maintenanceCleanupQueue,
  revokeGrantQueue,
  purgeDisconnectedQueue,
  syncChatQueue,
  pipedriveSubscribeQueue,
  pipedriveEventQueue,
  whatsappInboxQueue,
  whatsappMediaQueue,
  whatsappTemplatesQueue,
];

/** Recurring jobs (cron, UTC). */
export const SCHEDULES: readonly { queue: QueueDefinition; cron: string }[] = [
  { queue: maintenanceCleanupQueue, cron: '17 3 * * *' },
  { queue: purgeDisconnectedQueue, cron: '37 3 * * *' },
  // Templates also sync on add and on Meta's template-status webhook; this catches anything missed.
  { queue: whatsappTemplatesQueue, cron: '23 */6 * * *' },
];
