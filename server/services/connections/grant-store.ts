import type { Clock } from '../../clock.ts';
import type { Db, Tx } from '../../db/client.ts';
import { createConnectionsRepository, type ConnectionRow } from '../../db/repositories/connections.repository.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { pipedriveSubscribeQueue, revokeGrantQueue, syncReconcileQueue } from '../../jobs/queues.ts';
import type { PipedriveOAuthClient, TokenResponse } from '../pipedrive/oauth-client.ts';
import type { PipedriveIdentity } from '../pipedrive/pipedrive-api.ts';
import type { TokenVault } from '../pipedrive/token-vault.ts';

/** Writes grants (encrypted) and companies as the OAuth callback learns about them. */
export function createGrantStore(deps: { vault: TokenVault; jobs: JobQueue; clock: Clock }) {
  /** Stores the grant of (company, user), keeping its roles unless told otherwise. */
  async function saveGrant(
    tx: Tx,
    identity: PipedriveIdentity,
    grant: TokenResponse,
    roles: { memberId: string | null; isOrgConnection: boolean; isPersonalConnection: boolean },
  ): Promise<ConnectionRow> {
    const now = deps.clock.now();
    const sealed = deps.vault.seal(identity.companyId, identity.userId, {
      accessToken: grant.access_token,
      refreshToken: grant.refresh_token,
    });
    // The org connection listens to Pipedrive's webhooks; subscribing (idempotent) waits for the commit.
    if (roles.isOrgConnection) await deps.jobs.send(pipedriveSubscribeQueue, { companyId: identity.companyId }, { tx });
    // An organization grant (re)activated: catch up on what the sync skipped meanwhile. On a first
    // install there is nothing behind, and the job costs one query.
    if (roles.isOrgConnection) await deps.jobs.send(syncReconcileQueue, { companyId: identity.companyId }, { tx });
    return createConnectionsRepository(tx).upsertGrant({
      companyId: identity.companyId,
      pipedriveUserId: identity.userId,
      ...roles,
      state: 'active',
      ...sealed,
      accessTokenExpiresAt: new Date(now.getTime() + grant.expires_in * 1000),
      scopes: grant.scope,
      apiDomain: grant.api_domain,
      pipedriveUserName: identity.name,
      pipedriveUserEmail: identity.email,
      isPipedriveAdmin: identity.isAdmin,
      connectedAt: now,
      lastRefreshedAt: now,
    });
  }

  return {
    saveGrant,
    /** Links the company to a workspace as connected (a reconnect cancels a pending purge). */
    async linkCompany(tx: Tx, identity: PipedriveIdentity, workspaceId: string, apiDomain: string): Promise<void> {
      await createConnectionsRepository(tx).upsertCompany({
        id: identity.companyId,
        workspaceId,
        name: identity.companyName,
        domain: identity.companyDomain,
        apiDomain,
        status: 'connected',
        disconnectedAt: null,
        purgeAfter: null,
      });
    },

    /**
     * A grant Parley will not use (refused connection): revoke it at Pipedrive so the app does not
     * look installed for that user, unless the user already had a working connection, whose tokens
     * the new grant then simply refreshes.
     */
    async discardGrant(tx: Tx, identity: PipedriveIdentity, grant: TokenResponse): Promise<void> {
      const existing = await createConnectionsRepository(tx).findByCompanyUser(identity.companyId, identity.userId);
      if (existing !== undefined && existing.state !== 'revoked') {
        await saveGrant(tx, identity, grant, {
          memberId: existing.memberId,
          isOrgConnection: existing.isOrgConnection,
          isPersonalConnection: existing.isPersonalConnection,
        });
        return;
      }
      const sealed = deps.vault.seal(identity.companyId, identity.userId, {
        accessToken: grant.access_token,
        refreshToken: grant.refresh_token,
      });
      await deps.jobs.send(
        revokeGrantQueue,
        {
          companyId: identity.companyId,
          pipedriveUserId: identity.userId,
          refreshTokenCiphertext: sealed.refreshTokenCiphertext,
        },
        { tx },
      );
    },
  };
}

export type GrantStore = ReturnType<typeof createGrantStore>;

/**
 * After an unexpected failure past the code exchange (the code is spent and Pipedrive counts the
 * app as installed for that user), releases the grant, then rethrows the failure. Best effort:
 * with the identity known, the grant store decides (durable revoke job, or an existing connection
 * keeps the refreshed tokens); without it, or when the database is what failed, Pipedrive is asked
 * directly.
 */
export async function releaseGrantAndRethrow(
  deps: { db: Db; grants: GrantStore; oauth: PipedriveOAuthClient },
  grant: TokenResponse,
  identity: PipedriveIdentity | undefined,
  failure: unknown,
): Promise<never> {
  let released = false;
  if (identity !== undefined)
    released = await deps.db
      .transaction((tx) => deps.grants.discardGrant(tx, identity, grant))
      .then(
        () => true,
        () => false,
      );
  if (!released) await deps.oauth.revoke(grant.refresh_token).catch(() => undefined);
  throw failure;
}
