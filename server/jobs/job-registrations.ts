import type { DomainServices } from '../services/domain-services.ts';
import type { MaintenanceService } from '../services/maintenance/maintenance.service.ts';
import {
  maintenanceCleanupQueue,
  pipedriveEventQueue,
  pipedriveSubscribeQueue,
  purgeDisconnectedQueue,
  revokeGrantQueue,
  sendMailQueue,
  syncChatQueue,
  syncReconcileQueue,
  whatsappInboxQueue,
  whatsappMediaQueue,
  whatsappTemplatesQueue,
} from './queues.ts';
import { registerJob, type JobRegistration } from './worker-runner.ts';
import { actors } from '../services/audit/actor.ts';

/** Handlers stay thin: they call services, which hold the rules. */
export function createJobRegistrations(services: {
  maintenance: MaintenanceService;
  domain: DomainServices;
}): JobRegistration[] {
  const { domain } = services;
  return [
    registerJob({
      queue: maintenanceCleanupQueue,
      async handler(_data, { logger }) {
        const removed = await services.maintenance.cleanup();
        // Routine housekeeping: a line at debug (quiet by default, server/logger.ts).
        logger.debug({ removed }, 'maintenance cleanup done');
      },
    }),
    registerJob({
      queue: revokeGrantQueue,
      async handler(data, { logger }) {
        const webhookIds = data.unsubscribeWebhookIds ?? [];
        if (webhookIds.length > 0) {
          // The org grant: its Pipedrive webhooks are deleted with a last token, then it is revoked.
          await domain.pipedriveWebhooks.unsubscribeThenRevoke({ ...data, unsubscribeWebhookIds: webhookIds });
        } else {
          const refreshToken = domain.vault.openRefreshToken(
            data.companyId,
            data.pipedriveUserId,
            data.refreshTokenCiphertext,
          );
          await domain.oauth.revoke(refreshToken);
        }
        await domain.audit.record({
          companyId: data.companyId,
          actor: actors.system,
          action: 'grant.revoked',
          detail: { pipedriveUserId: data.pipedriveUserId },
        });
        logger.info({ companyId: data.companyId, pipedriveUserId: data.pipedriveUserId }, 'grant revoked at Pipedrive');
      },
    }),
    registerJob({
      queue: pipedriveSubscribeQueue,
      async handler(data, { logger }) {
        if (data.companyId !== undefined) await domain.pipedriveWebhooks.subscribe(data.companyId);
        else logger.info(await domain.pipedriveWebhooks.subscribeEveryCompany(), 'Pipedrive webhooks checked');
      },
    }),
    registerJob({
      queue: pipedriveEventQueue,
      async handler(data) {
        await domain.pipedriveWebhooks.process(data.inboxEventId);
      },
    }),
    registerJob({
      queue: purgeDisconnectedQueue,
      async handler(_data, { logger }) {
        const purged = await domain.lifecycle.purgeDue();
        // Each purged company is logged by purgeDue; a run that found none is routine.
        logger.debug({ purged: purged.length }, 'purge of disconnected companies done');
      },
    }),
    registerJob({
      queue: sendMailQueue,
      async handler(data, { logger }) {
        // The message holds links that are secrets: only its id is ever logged.
        await domain.mail.deliver(data);
        logger.info({ mailId: data.mailId }, 'mail sent');
      },
    }),
    registerJob({
      queue: syncChatQueue,
      concurrency: 2,
      async handler(data, { jobId, retryCount, logger }) {
        const outcome = await domain.chatSync.runJob(data, { jobId, retryCount });
        logger.debug({ chatId: data.chatId, outcome }, 'chat sync done');
      },
    }),
    registerJob({
      queue: syncReconcileQueue,
      async handler(data, { logger }) {
        const queued = await domain.chatSync.reconcileCompany(data.companyId);
        logger.info({ companyId: data.companyId, queued }, 'sync reconciliation queued the chats behind');
      },
    }),
    registerJob({
      queue: whatsappInboxQueue,
      // Many short jobs (one per webhook): a backlog drains without a poll between jobs, four at a
      // time per process (rows are locked with skip locked; the event log orders each workspace's
      // commits, services/events/event-log.ts, so live streams miss nothing). A fetch takes up to
      // twenty jobs, processed in one transaction (batchHandler): under a backlog the batches grow
      // and each message costs fewer round trips and commits; a lone webhook is still a batch of
      // one, fetched at once (NOTIFY). docs/PERFORMANCE.md.
      concurrency: 4,
      batchSize: 20,
      async handler(data) {
        await domain.inbox.process(data.inboxIds);
      },
      // A fetched batch's rows in one transaction (inbox-processor.ts processJobs).
      batchHandler: (jobs) => domain.inbox.processJobs(jobs.map((job) => job.data.inboxIds)),
    }),
    registerJob({
      queue: whatsappMediaQueue,
      async handler(data, { logger }) {
        const outcome = await domain.media.fetch(data.messageId);
        logger.info({ messageId: data.messageId, outcome }, 'WhatsApp media fetched');
      },
    }),
    registerJob({
      queue: whatsappTemplatesQueue,
      async handler(data, { logger }) {
        const channelIds = data.channelId === undefined ? await domain.channels.activeChannelIds() : [data.channelId];
        for (const channelId of channelIds) {
          const result = await domain.channels.syncTemplates(channelId);
          logger.info({ channelId, reason: data.reason, ...result }, 'WhatsApp templates synced');
        }
      },
    }),
  ];
}
