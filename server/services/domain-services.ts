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
import { createPanelChatService, type ReadReceiptSender } from './live/panel-chat.service.ts';
import { createPanelContextService } from './live/panel-context.service.ts';
import { createBudgetMeter } from './pipedrive/budget-meter.ts';
import { createPipedriveOAuthClient } from './pipedrive/oauth-client.ts';
import { createPipedriveApi } from './pipedrive/pipedrive-api.ts';
import { createPipedriveHttp } from './pipedrive/pipedrive-http.ts';
import { createTokenService } from './pipedrive/token-service.ts';
import { createTokenVault } from './pipedrive/token-vault.ts';
import { createRateLimiter } from './rate-limit/rate-limiter.ts';
import { createSyncSettingsService } from './settings/sync-settings.ts';

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
  passwordHasher?: PasswordHasher;
  /** WhatsApp read receipts; wired to the WhatsApp provider once it exists (see panel-chat.service.ts). */
  sendReadReceipt?: ReadReceiptSender;
}) {
  const { config, db, clock, logger } = deps;
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
  const http = createPipedriveHttp({ tokens, limiter, budget, clock, logger });
  const lifecycle = createConnectionLifecycle({
    db,
    jobs: deps.jobs,
    clock,
    logger,
    retentionDays: config.retentionDays,
  });
  const states = createOAuthStateService({ db, secret: config.sessionSecret, clock });
  const grants = createGrantStore({ vault, jobs: deps.jobs, clock });
  const pipedrive = createPipedriveApi({ db, http });
  const status = createConnectionStatusService({ db });
  const panelChats = createPanelChatService({
    db,
    clock,
    logger,
    ...(deps.sendReadReceipt === undefined ? {} : { sendReadReceipt: deps.sendReadReceipt }),
  });
  return {
    audit: createAuditLog(db),
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
    panelContext: createPanelContextService({ db, status, pipedrive, chats: panelChats, publicUrl: config.publicUrl }),
    sessions: createSessionService({ db, sessionSecret: config.sessionSecret, clock }),
    accounts: createAccountsService({ db, hasher: deps.passwordHasher ?? createPasswordHasher(), clock }),
    team: createTeamService({ db, clock, lifecycle }),
    syncSettings: createSyncSettingsService({ db }),
  };
}

export type DomainServices = ReturnType<typeof createDomainServices>;
