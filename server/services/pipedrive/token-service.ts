import { sql } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { createConnectionsRepository, type ConnectionRow } from '../../db/repositories/connections.repository.ts';
import { isAppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import type { PipedriveOAuthClient } from './oauth-client.ts';
import { createPipedriveUnavailableError, createReauthRequiredError } from './pipedrive.errors.ts';
import type { TokenVault } from './token-vault.ts';
import { actors } from '../audit/actor.ts';

/** Refresh this long before expiry, so a token never expires mid-request. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface UsableToken {
  accessToken: string;
  apiDomain: string;
}

/**
 * Hands out a valid access token for a connection, refreshing it when it nears expiry.
 *
 * Exactly one refresh per grant runs at a time across all instances: the refresh happens inside a
 * transaction holding an advisory lock on the connection, re-reads the row after taking the lock
 * (another instance may have refreshed meanwhile), and saves the rotated refresh token and
 * `api_domain` in the same transaction. Within a process, concurrent callers share one attempt.
 * `invalid_grant` moves the connection to `reauth_required`; outages and 5xx change nothing.
 */
export function createTokenService(deps: {
  db: Db;
  vault: TokenVault;
  oauth: PipedriveOAuthClient;
  clock: Clock;
  logger: Logger;
}) {
  const inFlight = new Map<string, Promise<UsableToken>>();
  const repository = createConnectionsRepository(deps.db);

  const isFresh = (row: ConnectionRow) =>
    row.accessTokenExpiresAt !== null &&
    row.accessTokenExpiresAt.getTime() - deps.clock.now().getTime() > REFRESH_MARGIN_MS;

  const usable = (row: ConnectionRow): UsableToken => {
    if (row.state === 'reauth_required') throw createReauthRequiredError();
    if (row.state !== 'active' || row.accessTokenCiphertext === null || row.apiDomain === null) {
      throw createReauthRequiredError({ message: 'This Pipedrive connection has ended. Connect Pipedrive again.' });
    }
    return {
      accessToken: deps.vault.openAccessToken(row.companyId, row.pipedriveUserId, row.accessTokenCiphertext),
      apiDomain: row.apiDomain,
    };
  };

  /**
   * The one place a grant is declared gone: state `reauth_required` (its jobs pause, admins see
   * it), an audit entry, and a warning. A reconnect through OAuth makes it active again.
   */
  async function markReauthRequired(
    db: DbOrTx,
    row: ConnectionRow,
    reason: 'refresh_refused' | 'rejected_after_refresh',
  ): Promise<void> {
    await createConnectionsRepository(db).update(row.id, {
      state: 'reauth_required',
      lastRefreshFailureAt: deps.clock.now(),
    });
    await createAuditLog(db).record({
      companyId: row.companyId,
      actor: actors.pipedrive,
      action: 'connection.reauth_required',
      subjectType: 'connection',
      subjectId: row.id,
      detail: { reason, pipedriveUserId: row.pipedriveUserId, isOrgConnection: row.isOrgConnection },
    });
    deps.logger.warn(
      { connectionId: row.id, companyId: row.companyId, reason },
      'Pipedrive no longer accepts this grant; connection needs reauthorization',
    );
  }

  async function refreshUnderLock(connectionId: string, staleAccessToken: string | undefined): Promise<UsableToken> {
    const outcome = await deps.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`pipedrive-refresh:${connectionId}`}))`);
      const locked = createConnectionsRepository(tx);
      const row = await locked.findByIdForUpdate(connectionId);
      if (row === undefined)
        return { error: createReauthRequiredError({ message: 'This Pipedrive connection no longer exists.' }) };
      if (row.state !== 'active' || row.refreshTokenCiphertext === null) return { row };
      const current =
        row.accessTokenCiphertext === null
          ? undefined
          : deps.vault.openAccessToken(row.companyId, row.pipedriveUserId, row.accessTokenCiphertext);
      // Someone refreshed while we waited for the lock: use their token.
      if (isFresh(row) && (staleAccessToken === undefined || current !== staleAccessToken)) return { row };

      try {
        const refreshToken = deps.vault.openRefreshToken(
          row.companyId,
          row.pipedriveUserId,
          row.refreshTokenCiphertext,
        );
        const tokens = await deps.oauth.refresh(refreshToken);
        const now = deps.clock.now();
        const sealed = deps.vault.seal(row.companyId, row.pipedriveUserId, {
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token,
        });
        const values = {
          ...sealed,
          accessTokenExpiresAt: new Date(now.getTime() + tokens.expires_in * 1000),
          apiDomain: tokens.api_domain,
          scopes: tokens.scope,
          lastRefreshedAt: now,
          refreshFailureCount: 0,
          lastRefreshFailureAt: null,
        };
        await locked.update(row.id, values);
        if (row.isOrgConnection) await locked.updateCompany(row.companyId, { apiDomain: tokens.api_domain });
        return { row: { ...row, ...values } };
      } catch (error) {
        if (isAppError(error) && error.code === 'pipedrive.reauth_required') {
          await markReauthRequired(tx, row, 'refresh_refused');
          return { error };
        }
        await locked.update(row.id, {
          refreshFailureCount: row.refreshFailureCount + 1,
          lastRefreshFailureAt: deps.clock.now(),
        });
        return { error: isAppError(error) ? error : createPipedriveUnavailableError({ cause: error }) };
      }
    });
    if ('error' in outcome) throw outcome.error;
    return usable(outcome.row);
  }

  function refresh(connectionId: string, staleAccessToken: string | undefined): Promise<UsableToken> {
    const pending = inFlight.get(connectionId);
    if (pending !== undefined) return pending;
    const attempt = refreshUnderLock(connectionId, staleAccessToken).finally(() => inFlight.delete(connectionId));
    inFlight.set(connectionId, attempt);
    return attempt;
  }

  return {
    async getAccessToken(connectionId: string): Promise<UsableToken> {
      const pending = inFlight.get(connectionId);
      if (pending !== undefined) return pending;
      const row = await repository.findById(connectionId);
      if (row === undefined)
        throw createReauthRequiredError({ message: 'This Pipedrive connection no longer exists.' });
      if (row.state === 'active' && isFresh(row)) return usable(row);
      if (row.state !== 'active') return usable(row);
      return refresh(connectionId, undefined);
    },
    /** Pipedrive refused a token it had just issued: the grant is gone (revoked or uninstalled). */
    async rejectedAfterRefresh(connectionId: string): Promise<never> {
      const row = await repository.findById(connectionId);
      if (row !== undefined && row.state === 'active') await markReauthRequired(deps.db, row, 'rejected_after_refresh');
      throw createReauthRequiredError();
    },
    /** After Pipedrive answered 401 to `rejectedAccessToken`: refresh unless someone already did. */
    refreshAfterRejection(connectionId: string, rejectedAccessToken: string): Promise<UsableToken> {
      return refresh(connectionId, rejectedAccessToken);
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
