import { and, eq, inArray, isNotNull, lte, ne, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { Db, Tx } from '../../db/client.ts';
import { createConnectionsRepository, type ConnectionRow } from '../../db/repositories/connections.repository.ts';
import { chats, companies, connections, joinRequests, pipedriveWebhookSubscriptions } from '../../db/schema/index.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { revokeGrantQueue } from '../../jobs/queues.ts';
import type { Logger } from '../../logger.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { actors, type Actor } from '../audit/actor.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Ending connections: Disconnect Organization (cascades to every personal connection of the
 * company), Disconnect only for me, Pipedrive's uninstall callback, and the purge that follows
 * after the retention period. Tokens are wiped in the same transaction that ends a connection;
 * grants are revoked at Pipedrive by a durable job enqueued in that transaction.
 */
export function createConnectionLifecycle(deps: {
  db: Db;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  retentionDays: number;
}) {
  async function endGrant(tx: Tx, row: ConnectionRow, options: { revokeAtPipedrive: boolean }): Promise<void> {
    if (options.revokeAtPipedrive && row.refreshTokenCiphertext !== null) {
      // The org grant's webhooks go first, with a last token, in the same durable job as the revoke.
      const webhookIds = row.isOrgConnection ? await takeWebhookIds(tx, row.companyId) : [];
      await deps.jobs.send(
        revokeGrantQueue,
        {
          companyId: row.companyId,
          pipedriveUserId: row.pipedriveUserId,
          refreshTokenCiphertext: row.refreshTokenCiphertext,
          ...(webhookIds.length === 0 ? {} : { unsubscribeWebhookIds: webhookIds }),
        },
        { tx },
      );
    }
    await createConnectionsRepository(tx).update(row.id, {
      state: 'revoked',
      revokedAt: deps.clock.now(),
      isOrgConnection: false,
      isPersonalConnection: false,
      accessTokenCiphertext: null,
      refreshTokenCiphertext: null,
      accessTokenExpiresAt: null,
    });
  }

  /** The company's Pipedrive webhook ids, forgotten here (the subscription's password stays for a reconnect). */
  async function takeWebhookIds(tx: Tx, companyId: number): Promise<number[]> {
    const [row] = await tx
      .select({ webhookIds: pipedriveWebhookSubscriptions.webhookIds })
      .from(pipedriveWebhookSubscriptions)
      .where(eq(pipedriveWebhookSubscriptions.companyId, companyId));
    if (row === undefined || row.webhookIds.length === 0) return [];
    await tx
      .update(pipedriveWebhookSubscriptions)
      .set({ webhookIds: [], updatedAt: sql`now()` })
      .where(eq(pipedriveWebhookSubscriptions.companyId, companyId));
    return row.webhookIds;
  }

  async function endOrganization(
    tx: Tx,
    companyId: number,
    options: { actor: Actor; uninstalledBy?: number },
  ): Promise<number> {
    const repository = createConnectionsRepository(tx);
    const live = (await repository.listByCompany(companyId)).filter((row) => row.state !== 'revoked');
    // The user who uninstalled already removed their own grant at Pipedrive.
    for (const row of live)
      await endGrant(tx, row, { revokeAtPipedrive: row.pipedriveUserId !== options.uninstalledBy });
    const now = deps.clock.now();
    const company = await repository.findCompany(companyId);
    await repository.updateCompany(companyId, {
      status: options.uninstalledBy === undefined ? 'disconnected' : 'uninstalled',
      disconnectedAt: now,
      purgeAfter: new Date(now.getTime() + deps.retentionDays * DAY_MS),
    });
    await createAuditLog(tx).record({
      workspaceId: company?.workspaceId ?? null,
      companyId,
      actor: options.actor,
      action: options.uninstalledBy === undefined ? 'organization.disconnected' : 'organization.uninstalled',
      subjectType: 'company',
      subjectId: String(companyId),
      detail: { endedConnections: live.length, purgeAfterDays: deps.retentionDays },
    });
    return live.length;
  }

  return {
    /** Ends the org connection and every personal connection of the company; revokes each grant. */
    async disconnectOrganization(companyId: number, actor: Actor): Promise<number> {
      const ended = await deps.db.transaction((tx) => endOrganization(tx, companyId, { actor }));
      deps.logger.info({ companyId, endedConnections: ended }, 'Pipedrive organization disconnected');
      return ended;
    },

    /** Ends one user's personal connection; the org connection and everyone else stay. Idempotent. */
    async disconnectPersonal(companyId: number, pipedriveUserId: number, actor: Actor): Promise<boolean> {
      const ended = await deps.db.transaction(async (tx) => {
        const repository = createConnectionsRepository(tx);
        const row = await repository.findByCompanyUser(companyId, pipedriveUserId);
        if (row === undefined || row.state === 'revoked' || !row.isPersonalConnection) return false;
        // The org connector's grant also serves the whole company: keep it, switch off only its personal role.
        if (row.isOrgConnection) await repository.update(row.id, { isPersonalConnection: false });
        else await endGrant(tx, row, { revokeAtPipedrive: true });
        const company = await repository.findCompany(companyId);
        await createAuditLog(tx).record({
          workspaceId: company?.workspaceId ?? null,
          companyId,
          actor,
          action: 'personal.disconnected',
          subjectType: 'connection',
          subjectId: row.id,
          detail: { pipedriveUserId },
        });
        return true;
      });
      if (ended) deps.logger.info({ companyId, pipedriveUserId }, 'personal Pipedrive connection ended');
      return ended;
    },

    /** Pipedrive's DELETE callback: that user's grant is gone; if it held the org connection, everything ends. */
    handleUninstall(companyId: number, pipedriveUserId: number): Promise<'organization' | 'personal' | 'nothing'> {
      return deps.db.transaction(async (tx) => {
        const repository = createConnectionsRepository(tx);
        const row = await repository.findByCompanyUser(companyId, pipedriveUserId);
        const actor = actors.pipedriveUser(companyId, pipedriveUserId);
        if (row === undefined || row.state === 'revoked') return 'nothing';
        if (row.isOrgConnection) {
          await endOrganization(tx, companyId, { actor, uninstalledBy: pipedriveUserId });
          return 'organization';
        }
        await endGrant(tx, row, { revokeAtPipedrive: false });
        const company = await repository.findCompany(companyId);
        await createAuditLog(tx).record({
          workspaceId: company?.workspaceId ?? null,
          companyId,
          actor,
          action: 'personal.uninstalled',
          subjectType: 'connection',
          subjectId: row.id,
        });
        return 'personal';
      });
    },

    /** Deletes Pipedrive-derived personal data of companies disconnected past the retention period. */
    async purgeDue(): Promise<number[]> {
      const due = await deps.db
        .select({ id: companies.id, workspaceId: companies.workspaceId })
        .from(companies)
        .where(
          and(
            ne(companies.status, 'connected'),
            isNotNull(companies.purgeAfter),
            lte(companies.purgeAfter, deps.clock.now()),
          ),
        );
      for (const company of due) {
        await deps.db.transaction(async (tx) => {
          await tx.delete(connections).where(eq(connections.companyId, company.id));
          await tx.delete(joinRequests).where(eq(joinRequests.pipedriveCompanyId, company.id));
          if (company.workspaceId !== null) {
            await tx
              .update(chats)
              .set({
                personId: null,
                dealId: null,
                leadId: null,
                pinnedPersonId: null,
                pinnedDealId: null,
                updatedAt: sql`now()`,
              })
              .where(eq(chats.workspaceId, company.workspaceId));
          }
          // Cascades to the company's settings, sync effects, transcripts and budget usage.
          await tx.delete(companies).where(inArray(companies.id, [company.id]));
          await createAuditLog(tx).record({
            workspaceId: company.workspaceId,
            companyId: company.id,
            actor: actors.system,
            action: 'company.purged',
            subjectType: 'company',
            subjectId: String(company.id),
          });
        });
        deps.logger.info({ companyId: company.id }, 'purged a disconnected company after the retention period');
      }
      return due.map((company) => company.id);
    },
  };
}

export type ConnectionLifecycle = ReturnType<typeof createConnectionLifecycle>;
