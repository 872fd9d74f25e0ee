import { defineQueue, type QueueDefinition } from './job-queue.ts';

/**
 * The message path's jobs (inbox processing, chat sync) send a heartbeat this often (pg-boss): a
 * job whose worker died (kill -9, a lost machine) is failed and retried once its heartbeat is this
 * stale, seen by the supervisor within SUPERVISE_INTERVAL_SECONDS (job-queue.ts), instead of sitting
 * `active` until `expireInSeconds`. The chaos run measured 2–3 minutes per killed job before.
 */
export const HEARTBEAT_SECONDS = 10;

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
 * Where sync jobs go that must not be retried blindly: a permanent refusal by Pipedrive (a 4xx
 * validation error) or retries exhausted. Nobody works this queue; an admin replays a job
 * (`POST /api/sync/dead-letters/:id/replay`) once the cause is fixed. Kept 30 days.
 */
export const syncDeadLetterQueue = defineQueue<{
  chatId: string;
  companyId?: number;
  reason?: string;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  sourceJobId?: string;
  sourceRetryCount?: number;
}>('sync.chat.dead', { retentionSeconds: 30 * 86_400, deleteAfterSeconds: 7 * 86_400 });

/**
 * Brings one chat's Pipedrive side up to date: identity resolution, auto-creation and the day's
 * transcript. Enqueued (in the same transaction) whenever a chat gains a message or a status.
 *
 * Coalescing: the queue is `stately` and every job's `singletonKey` is its chat, so a chat has at
 * most one job waiting and one running. While one waits, further sends for the chat are dropped
 * (the waiting job will write "what is there now"); a job starts two seconds after it is sent, so
 * a burst lands in a few writes. Budget pauses and 429s defer the job (`startAfter`) instead of failing it.
 */
export const syncChatQueue = defineQueue<{
  chatId: string;
  /** How many 429 deferrals in a row (the exponential backoff's exponent). */
  throttled?: number;
}>(
  'sync.chat',
  {
    policy: 'stately',
    retryLimit: 10,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 900,
    expireInSeconds: 120,
    heartbeatSeconds: HEARTBEAT_SECONDS,
    deadLetter: syncDeadLetterQueue.name,
  },
  (data) => ({ singletonKey: `chat:${data.chatId}`, startAfter: 2 }),
);

/**
 * After a company's organization connection becomes active again (reconnect after reauth or a
 * disconnect), enqueues `sync.chat` for every chat with messages newer than its transcripts.
 */
export const syncReconcileQueue = defineQueue<{ companyId: number }>(
  'sync.reconcile',
  { policy: 'stately', retryLimit: 5, retryBackoff: true, expireInSeconds: 300 },
  (data) => ({ singletonKey: `company:${data.companyId}` }),
);

/**
 * Subscribes Parley to a company's Pipedrive webhooks after an org connect, or checks every connected
 * company's (`companyId` absent: the daily schedule).
 */
export const pipedriveSubscribeQueue = defineQueue<{ companyId?: number; reason?: 'schedule' }>(
  'pipedrive.webhooks-subscribe',
  {
    retryLimit: 8,
    retryDelay: 10,
    retryBackoff: true,
    retryDelayMax: 3600,
    // The daily check walks every connected company (two or three calls each).
    expireInSeconds: 600,
    policy: 'singleton',
  },
);

/** Applies one stored Pipedrive webhook event (inbox row) to chat links and the phone cache. */
export const pipedriveEventQueue = defineQueue<{ inboxEventId: number }>('pipedrive.webhook-event', {
  retryLimit: 10,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 900,
  expireInSeconds: 120,
});

/**
 * Account mail (confirmation links, password resets, notices). Enqueued in the transaction that
 * stores the link's token; the message is encrypted in the job and the job deleted soon after it
 * was sent. A failing SMTP server means retries with backoff, never a lost or blocking mail.
 */
export const sendMailQueue = defineQueue<{ mailId: string; ciphertext: string }>('mail.send', {
  retryLimit: 12,
  retryDelay: 10,
  retryBackoff: true,
  retryDelayMax: 1800,
  expireInSeconds: 60,
  deleteAfterSeconds: 60,
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
  heartbeatSeconds: HEARTBEAT_SECONDS,
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
  syncDeadLetterQueue,
  syncChatQueue,
  sendMailQueue,
  syncReconcileQueue,
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
  { queue: pipedriveSubscribeQueue, cron: '47 4 * * *' },
];
