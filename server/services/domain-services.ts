import type { Clock } from '../clock.ts';
import type { AppConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { createAccountsService } from './accounts/accounts.service.ts';
import { createPasswordHasher, type PasswordHasher } from './accounts/password.ts';
import { createSessionService } from './accounts/session.service.ts';
import { createTeamService } from './accounts/team.service.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createConnectionLifecycle } from './connections/connection-lifecycle.service.ts';
import { createConnectionStatusService } from './connections/connection-status.service.ts';
import { createGrantStore } from './connections/grant-store.ts';
import { createInstallService } from './connections/install.service.ts';
import { createOAuthStateService } from './connections/oauth-state.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import { createEventsTicketService } from './live/events-ticket.ts';
import { createMediaLinks } from './live/media-links.ts';
import { createPanelChatService, type ReadReceiptSender } from './live/panel-chat.service.ts';
import { createPanelContextService } from './live/panel-context.service.ts';
import { createBudgetMeter } from './pipedrive/budget-meter.ts';
import { createPipedriveOAuthClient } from './pipedrive/oauth-client.ts';
import { createPipedriveApi, type ConnectionApi } from './pipedrive/pipedrive-api.ts';
import { createPipedriveHttp } from './pipedrive/pipedrive-http.ts';
import { createTokenService } from './pipedrive/token-service.ts';
import { createTokenVault } from './pipedrive/token-vault.ts';
import { createRateLimiter } from './rate-limit/rate-limiter.ts';
import { createMailService } from './mail/mail.service.ts';
import { createMailTransport, type MailTransport } from './mail/mail-transport.ts';
import { createSyncSettingsService } from './settings/sync-settings.ts';
import { createPanelService } from './connections/panel.service.ts';
import { createWorkspaceIntegrationService } from './connections/workspace-integration.service.ts';
import { createChatSyncService } from './sync/chat-sync.service.ts';
import { createDeadLetters } from './sync/dead-letters.ts';
import type { PipedriveTimeline } from './sync/pipedrive-timeline.ts';
import { createChatChoicesService } from './sync/chat-choices.service.ts';
import { createChatLinkResolver } from './sync/chat-link-resolver.ts';
import { createPipedriveWebhooksService } from './sync/pipedrive-webhooks.service.ts';
import type { EventBus } from './events/event-bus.ts';
import { createInProcessEventBus } from './events/in-process-event-bus.ts';
import { createChannelDirectory } from './whatsapp/channel-directory.ts';
import { createChannelsService } from './whatsapp/channels.service.ts';
import { createCloudApiProvider } from './whatsapp/cloud-api/cloud-provider.ts';
import { createInboxHandoff } from './whatsapp/inbox-handoff.ts';
import { createInboxProcessor } from './whatsapp/inbox-processor.ts';
import { createMediaService } from './whatsapp/media.service.ts';
import type { WhatsAppProvider } from './whatsapp/provider.ts';
import { createSendService } from './whatsapp/send.service.ts';
import { createWebhookIngest } from './whatsapp/webhook-ingest.service.ts';

/** The path of Parley's OAuth callback; also declared in manifest/app.json (a test keeps them equal). */
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

/**
 * Parley's services, wired once per process from explicit dependencies (no globals): routes reach
 * them through `fastify.services.domain`, job handlers through the runtime.
 */
export function createDomainServices(deps: {
  config: AppConfig;
  db: Db;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  /** Where chat events are announced; an in-process bus when absent (tools and tests without panels). */
  eventBus?: EventBus;
  passwordHasher?: PasswordHasher;
  /** How the Pipedrive client waits out a short 429 or burst window (tests pass a fake clock's). */
  sleep?: (ms: number) => Promise<void>;
  /** Replaces the transport the configuration names (tests capture or fail deliveries). */
  mailTransport?: MailTransport;
  /** WhatsApp read receipts; default: the channel's provider (`markRead`). */
  sendReadReceipt?: ReadReceiptSender;
  /** Tests: Pipedrive's request timeout (15 s otherwise) and a fetch that misbehaves. */
  pipedriveTimeoutMs?: number;
  pipedriveFetch?: typeof fetch;
  /** Tests: wrap the transcript writes to fail at a chosen moment. */
  syncTimeline?: (api: ConnectionApi) => PipedriveTimeline;
  /** Tests may substitute the WhatsApp provider; the default is the Cloud API at WHATSAPP_GRAPH_URL. */
  whatsappProvider?: WhatsAppProvider;
}) {
  const { config, db, clock, logger } = deps;
  const eventBus = deps.eventBus ?? createInProcessEventBus(logger);
  const secretBox = createSecretBox(config.encryptionKeys);
  const vault = createTokenVault(secretBox);
  const oauth = createPipedriveOAuthClient(
    {
      oauthUrl: config.pipedrive.oauthUrl,
      clientId: config.pipedrive.clientId,
      clientSecret: config.pipedrive.clientSecret,
      redirectUri: `${config.publicUrl}${OAUTH_CALLBACK_PATH}`,
    },
    logger,
  );
  const tokens = createTokenService({ db, vault, oauth, clock, logger });
  const limiter = createRateLimiter({ db, clock });
  const budget = createBudgetMeter({ db, clock, logger });
  const http = createPipedriveHttp({
    tokens,
    limiter,
    budget,
    clock,
    logger,
    ...(deps.pipedriveTimeoutMs === undefined ? {} : { timeoutMs: deps.pipedriveTimeoutMs }),
    ...(deps.pipedriveFetch === undefined ? {} : { fetch: deps.pipedriveFetch }),
    ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
  });
  const pipedrive = createPipedriveApi({ db, http });
  const audit = createAuditLog(db);
  const syncSettings = createSyncSettingsService({ db });
  const lifecycle = createConnectionLifecycle({
    db,
    jobs: deps.jobs,
    clock,
    logger,
    retentionDays: config.retentionDays,
  });
  const states = createOAuthStateService({ db, secret: config.sessionSecret, clock });
  const grants = createGrantStore({ vault, jobs: deps.jobs, clock });
  const mail = createMailService({
    jobs: deps.jobs,
    secretBox,
    from: config.mail.from,
    transport: deps.mailTransport ?? createMailTransport(config.mail),
  });
  const whatsappProvider = deps.whatsappProvider ?? createCloudApiProvider(config.whatsapp);
  const channelDirectory = createChannelDirectory({ db, secretBox, clock, eventBus });
  const channels = createChannelsService({
    db,
    provider: whatsappProvider,
    secretBox,
    directory: channelDirectory,
    audit,
    clock,
    logger,
    publicUrl: config.publicUrl,
  });
  const sender = createSendService({
    db,
    jobs: deps.jobs,
    eventBus,
    provider: whatsappProvider,
    channels,
    clock,
    logger,
    mediaMaxBytes: config.whatsapp.mediaMaxBytes,
  });
  // Identity resolution and auto-creation; the sync engine's transcript writer calls `chatLinks.resolve`.
  const chatLinks = createChatLinkResolver({ db, pipedrive, syncSettings, logger });
  const status = createConnectionStatusService({ db });
  const mediaLinks = createMediaLinks({ secret: config.sessionSecret, clock });
  const inbox = createInboxProcessor({ db, jobs: deps.jobs, eventBus, logger });
  // Idle until `Runtime.startWorkers` starts it: only a process that runs the inbox workers
  // processes its own webhooks' rows at once.
  const inboxHandoff = createInboxHandoff({ process: inbox.processHandedOff, logger });
  const panelChats = createPanelChatService({
    db,
    clock,
    logger,
    mediaLinks,
    // WhatsApp's read receipt for the newest message a user read in the panel, through the channel's provider.
    sendReadReceipt:
      deps.sendReadReceipt ??
      (async ({ channelId, providerMessageId }) => {
        const found = await channels.accountFor(channelId);
        if (found !== undefined) await whatsappProvider.markRead(found.account, providerMessageId);
      }),
  });
  return {
    audit,
    whatsappProvider,
    channels,
    webhookIngest: createWebhookIngest({
      db,
      jobs: deps.jobs,
      provider: whatsappProvider,
      directory: channelDirectory,
      handoff: inboxHandoff,
      clock,
      logger,
    }),
    inbox,
    inboxHandoff,
    media: createMediaService({
      db,
      provider: whatsappProvider,
      channels,
      maxBytes: config.whatsapp.mediaMaxBytes,
      logger,
      eventBus,
    }),
    sender,
    secretBox,
    vault,
    oauth,
    tokens,
    limiter,
    budget,
    pipedrive,
    lifecycle,
    states,
    install: createInstallService({ db, oauth, states, grants, secretBox, clock }),
    status,
    eventsTickets: createEventsTicketService({ db, secret: config.sessionSecret, clock }),
    panelChats,
    mediaLinks,
    panelContext: createPanelContextService({ db, status, pipedrive, chats: panelChats, publicUrl: config.publicUrl }),
    sessions: createSessionService({ db, sessionSecret: config.sessionSecret, clock }),
    mail,
    accounts: createAccountsService({
      db,
      hasher: deps.passwordHasher ?? createPasswordHasher(),
      clock,
      mail,
      publicUrl: config.publicUrl,
    }),
    team: createTeamService({ db, clock, lifecycle, secretBox, publicUrl: config.publicUrl }),
    syncSettings,
    integration: createWorkspaceIntegrationService({ db, config, lifecycle, audit }),
    panel: createPanelService({ db, config, status, lifecycle, syncSettings, pipedrive, audit, sender }),
    chatLinks,
    chatSync: createChatSyncService({
      db,
      jobs: deps.jobs,
      pipedrive,
      resolver: chatLinks,
      settings: syncSettings,
      audit,
      clock,
      logger,
      publicUrl: config.publicUrl,
      ...(deps.syncTimeline === undefined ? {} : { timeline: deps.syncTimeline }),
    }),
    deadLetters: createDeadLetters({ db, jobs: deps.jobs, audit }),
    chatChoices: createChatChoicesService({ db, jobs: deps.jobs, pipedrive, resolver: chatLinks }),
    pipedriveWebhooks: createPipedriveWebhooksService({
      db,
      jobs: deps.jobs,
      pipedrive,
      oauth,
      vault,
      secretBox,
      publicUrl: config.publicUrl,
      logger,
    }),
  };
}

export type DomainServices = ReturnType<typeof createDomainServices>;
