import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import { createIdentityRepository } from '../../db/repositories/identity.repository.ts';
import { inboxEvents, pipedriveWebhookSubscriptions } from '../../db/schema/index.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { pipedriveEventQueue } from '../../jobs/queues.ts';
import type { Logger } from '../../logger.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { constantTimeEqual, parseBasicAuth } from '../crypto/constant-time.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { PipedriveOAuthClient } from '../pipedrive/oauth-client.ts';
import type { PipedriveApi } from '../pipedrive/pipedrive-api.ts';
import { loadPipedriveSdk } from '../pipedrive/pipedrive-sdk.ts';
import type { TokenVault } from '../pipedrive/token-vault.ts';
import { applyWebhookEvent, readWebhookEvent, type PipedriveWebhookEvent } from './pipedrive-webhook-events.ts';

/** The Basic-auth user name Parley gives Pipedrive; the password is random per company. */
export const WEBHOOK_USER = 'parley';
const FEATURE = 'webhooks';

/** What Parley listens to (pipedrive-platform.md §6): a merge arrives as a person delete with `merged_to_id`. */
const SUBSCRIPTIONS = [
  { action: 'change', object: 'person' },
  { action: 'delete', object: 'person' },
  // A deal marked won or lost releases its chats, so a returning customer gets a new deal.
  { action: 'change', object: 'deal' },
  { action: 'delete', object: 'deal' },
  { action: 'delete', object: 'lead' },
] as const;

/** A webhook as `GET /v1/webhooks` lists it (the fields Parley compares). */
interface ListedWebhook {
  id?: number;
  subscription_url?: string;
  event_action?: string;
  event_object?: string;
}

/**
 * Pipedrive webhooks keep chat links and the phone cache right (product.md §4.3): subscribed on
 * org connect with Basic auth (a random per-company password, encrypted at rest), received into
 * the durable inbox with a job in the same transaction, applied by that job, and deleted when
 * the organization disconnects.
 */
export function createPipedriveWebhooksService(deps: {
  db: Db;
  jobs: JobQueue;
  pipedrive: PipedriveApi;
  oauth: PipedriveOAuthClient;
  vault: TokenVault;
  secretBox: SecretBox;
  publicUrl: string;
  logger: Logger;
}) {
  const aad = (companyId: number) => `pipedrive_webhook_subscriptions:${companyId}`;
  const subscriptionUrl = (companyId: number) => `${deps.publicUrl}/webhooks/pipedrive/${companyId}`;
  const audit = createAuditLog(deps.db);
  const identity = createIdentityRepository(deps.db);
  /** The official request builders (the package loads at the first call, see pipedrive-sdk.ts). */
  const webhooksApi = async () => {
    const { v1, v1Config } = await loadPipedriveSdk();
    return v1.WebhooksApiAxiosParamCreator(v1Config);
  };

  async function findSubscription(companyId: number) {
    const [row] = await deps.db
      .select()
      .from(pipedriveWebhookSubscriptions)
      .where(eq(pipedriveWebhookSubscriptions.companyId, companyId));
    return row;
  }

  async function workspaceOf(companyId: number): Promise<string | null> {
    return (await createConnectionsRepository(deps.db).findCompany(companyId))?.workspaceId ?? null;
  }

  return {
    /**
     * The daily check: every connected company's webhooks exist as Parley wants them now (a
     * company connected before an event was added to SUBSCRIPTIONS gains it here). One company's
     * failure does not stop the others; the job logs it and the next day tries again.
     */
    async subscribeEveryCompany(): Promise<{ companies: number; failed: number[] }> {
      const companyIds = await createConnectionsRepository(deps.db).listConnectedCompanyIds();
      const failed: number[] = [];
      for (const companyId of companyIds) {
        try {
          await this.subscribe(companyId);
        } catch (error) {
          failed.push(companyId);
          deps.logger.warn({ err: error, companyId }, 'could not check the Pipedrive webhooks of a company');
        }
      }
      return { companies: companyIds.length, failed };
    },

    /**
     * Makes sure the company's webhooks exist (list before create, so a retried job adds none
     * twice). A new password replaces every earlier Parley webhook, which carry the old one.
     */
    async subscribe(companyId: number): Promise<number[]> {
      const existing = await findSubscription(companyId);
      const password = existing === undefined ? randomBytes(32).toString('base64url') : undefined;
      if (password !== undefined) {
        await deps.db
          .insert(pipedriveWebhookSubscriptions)
          .values({ companyId, passwordCiphertext: deps.secretBox.encrypt(password, aad(companyId)) });
      }
      const secret = password ?? deps.secretBox.decrypt(existing?.passwordCiphertext ?? '', aad(companyId));
      const api = await deps.pipedrive.forCompany(companyId, FEATURE);
      const builders = await webhooksApi();
      const listed = await api.call<{ data?: ListedWebhook[] | null }>(await builders.getWebhooks(), {
        version: 'v1',
        kind: 'list',
      });
      const ours = (listed.body.data ?? []).filter(
        (webhook) => webhook.subscription_url === subscriptionUrl(companyId),
      );
      const kept: number[] = [];
      for (const webhook of ours) {
        const wanted = SUBSCRIPTIONS.some(
          (entry) => entry.action === webhook.event_action && entry.object === webhook.event_object,
        );
        const duplicate = ours.some(
          (other) =>
            Number(other.id) < Number(webhook.id) &&
            other.event_action === webhook.event_action &&
            other.event_object === webhook.event_object,
        );
        if (password === undefined && wanted && !duplicate) kept.push(Number(webhook.id));
        else await api.call(await builders.deleteWebhook(Number(webhook.id)), { version: 'v1', kind: 'delete' });
      }
      const ids = [...kept];
      for (const entry of SUBSCRIPTIONS) {
        const present = ours.some(
          (webhook) =>
            kept.includes(Number(webhook.id)) &&
            webhook.event_action === entry.action &&
            webhook.event_object === entry.object,
        );
        if (present) continue;
        const created = await api.call<{ data?: { id?: number } }>(
          await builders.addWebhook({
            subscription_url: subscriptionUrl(companyId),
            event_action: entry.action,
            event_object: entry.object,
            name: `Parley: ${entry.object} ${entry.action}`,
            version: '2.0',
            http_auth_user: WEBHOOK_USER,
            http_auth_password: secret,
          }),
          { version: 'v1', kind: 'create' },
        );
        ids.push(Number(created.body.data?.id));
      }
      await deps.db
        .update(pipedriveWebhookSubscriptions)
        .set({ webhookIds: ids, subscribedAt: sql`now()`, updatedAt: sql`now()` })
        .where(eq(pipedriveWebhookSubscriptions.companyId, companyId));
      await audit.record({
        workspaceId: await workspaceOf(companyId),
        companyId,
        actor: 'system',
        action: 'pipedrive.webhooks_subscribed',
        detail: { webhookIds: ids },
      });
      return ids;
    },

    /** Whether the request carries the company's Basic credentials (constant time, also when unknown). */
    async isAuthentic(companyId: number, authorization: string | undefined): Promise<boolean> {
      const subscription = await findSubscription(companyId);
      const presented = parseBasicAuth(authorization);
      let expected = '';
      try {
        expected =
          subscription === undefined ? '' : deps.secretBox.decrypt(subscription.passwordCiphertext, aad(companyId));
      } catch (error) {
        deps.logger.error({ err: error, companyId }, 'the Pipedrive webhook password does not decrypt');
      }
      const userMatches = constantTimeEqual(presented?.user ?? '', WEBHOOK_USER);
      const passwordMatches = constantTimeEqual(presented?.password ?? '', expected === '' ? '\u0000' : expected);
      return presented !== undefined && expected !== '' && userMatches && passwordMatches;
    },

    /** Stores the event (deduplicated on `meta.id`) with its job, in one transaction. */
    async ingest(companyId: number, event: PipedriveWebhookEvent, raw: unknown): Promise<{ duplicate: boolean }> {
      const workspaceId = await workspaceOf(companyId);
      return deps.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(inboxEvents)
          .values({ provider: 'pipedrive', dedupeKey: event.meta.id, companyId, workspaceId, payload: raw })
          .onConflictDoNothing({ target: [inboxEvents.provider, inboxEvents.dedupeKey] })
          .returning({ id: inboxEvents.id });
        if (row === undefined) return { duplicate: true };
        await deps.jobs.send(pipedriveEventQueue, { inboxEventId: row.id }, { tx });
        return { duplicate: false };
      });
    },

    /** Applies one stored event to chat links and the phone cache; a processed event is not applied again. */
    async process(inboxEventId: number): Promise<void> {
      const [row] = await deps.db.select().from(inboxEvents).where(eq(inboxEvents.id, inboxEventId));
      if (row === undefined || row.processedAt !== null || row.companyId === null) return;
      const event = readWebhookEvent(row.payload);
      const workspaceId = row.workspaceId ?? (await workspaceOf(row.companyId));
      if (event !== undefined && workspaceId !== null)
        await applyWebhookEvent({ identity, audit }, { companyId: row.companyId, workspaceId }, event);
      await deps.db
        .update(inboxEvents)
        .set({ processedAt: sql`now()`, attempts: sql`${inboxEvents.attempts} + 1`, updatedAt: sql`now()` })
        .where(eq(inboxEvents.id, inboxEventId));
    },

    /**
     * Part of ending the org grant: refresh it once more, delete Parley's webhooks with that token
     * (best effort: Pipedrive also drops an app's webhooks when its grant goes), then revoke.
     */
    async unsubscribeThenRevoke(job: {
      companyId: number;
      pipedriveUserId: number;
      refreshTokenCiphertext: string;
      unsubscribeWebhookIds: number[];
    }): Promise<void> {
      const refreshToken = deps.vault.openRefreshToken(job.companyId, job.pipedriveUserId, job.refreshTokenCiphertext);
      const connection = await createConnectionsRepository(deps.db).findByCompanyUser(
        job.companyId,
        job.pipedriveUserId,
      );
      let lastRefreshToken = refreshToken;
      let deleted = 0;
      try {
        const token = await deps.oauth.refresh(refreshToken);
        lastRefreshToken = token.refresh_token;
        if (connection !== undefined) {
          const api = deps.pipedrive.forEndedGrant(
            connection,
            { accessToken: token.access_token, apiDomain: token.api_domain },
            FEATURE,
          );
          const builders = await webhooksApi();
          for (const id of job.unsubscribeWebhookIds) {
            try {
              await api.call(await builders.deleteWebhook(id), { version: 'v1', kind: 'delete' });
              deleted += 1;
            } catch (error) {
              deps.logger.warn({ err: error, webhookId: id }, 'could not delete a Pipedrive webhook; revoking anyway');
            }
          }
        }
      } catch (error) {
        deps.logger.warn({ err: error, companyId: job.companyId }, 'no last token to delete webhooks with; revoking');
      }
      await deps.oauth.revoke(lastRefreshToken);
      await audit.record({
        companyId: job.companyId,
        actor: 'system',
        action: 'pipedrive.webhooks_unsubscribed',
        detail: { deleted, of: job.unsubscribeWebhookIds.length },
      });
    },
  };
}

export type PipedriveWebhooksService = ReturnType<typeof createPipedriveWebhooksService>;
