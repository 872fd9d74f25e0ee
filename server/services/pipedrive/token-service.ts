import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../clock.ts';
import type { Db, DbOrTx, Tx } from '../../db/client.ts';
import {
  createConnectionsRepository,
  type ConnectionRow,
  type ConnectionsRepository,
} from '../../db/repositories/connections.repository.ts';
import { isAppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import type { PipedriveOAuthClient, TokenResponse } from './oauth-client.ts';
import { createPipedriveUnavailableError, createReauthRequiredError } from './pipedrive.errors.ts';
import type { TokenVault } from './token-vault.ts';
import { actors } from '../audit/actor.ts';

/** Refresh this long before expiry, so a token never expires mid-request. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** Well beyond the token endpoint's 10 s timeout, so a live holder never loses its lease. */
const REFRESH_LEASE_MS = 30_000;
/** How often an instance waiting for another one's refresh re-reads the row. */
const LEASE_POLL_MS = 50;

type Claim =
  | { kind: 'gone' }
  | { kind: 'settled'; row: ConnectionRow }
  | { kind: 'claimed'; row: ConnectionRow; leaseId: string }
  | { kind: 'wait' };

export interface UsableToken {
  accessToken: string;
  apiDomain: string;
}

/**
 * Hands out a valid access token for a connection, refreshing it when it nears expiry.
 *
 * Exactly one refresh per grant runs at a time across all instances, and no transaction stays open
 * while Pipedrive answers (in embedded mode that would freeze the single database session): a short
 * transaction locks the row, re-reads it (another instance may have refreshed meanwhile) and takes
 * a lease on it; the token endpoint is called outside any transaction; a second short transaction
 * saves the rotated refresh token and `api_domain` and releases the lease. Other instances wait for
 * the lease to clear and use the new token. Within a process, concurrent callers share one attempt.
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

  /**
   * Step 1, a short transaction: lock the row, re-read it, and take the refresh lease unless the
   * token is already fresh (someone refreshed while we waited) or another instance holds the lease.
   */
  async function claimRefresh(connectionId: string, staleAccessToken: string | undefined): Promise<Claim> {
    return deps.db.transaction(async (tx) => {
      const locked = createConnectionsRepository(tx);
      const row = await locked.findByIdForUpdate(connectionId);
      if (row === undefined) return { kind: 'gone' };
      if (row.state !== 'active' || row.refreshTokenCiphertext === null) return { kind: 'settled', row };
      const current =
        row.accessTokenCiphertext === null
          ? undefined
          : deps.vault.openAccessToken(row.companyId, row.pipedriveUserId, row.accessTokenCiphertext);
      if (isFresh(row) && (staleAccessToken === undefined || current !== staleAccessToken))
        return { kind: 'settled', row };
      const now = deps.clock.now();
      if (row.refreshLeaseUntil !== null && row.refreshLeaseUntil > now) return { kind: 'wait' };
      const leaseId = randomUUID();
      await locked.update(row.id, {
        refreshLeaseId: leaseId,
        refreshLeaseUntil: new Date(now.getTime() + REFRESH_LEASE_MS),
      });
      return { kind: 'claimed', row, leaseId };
    });
  }

  /**
   * Step 3, a short transaction: write the outcome and release the lease, if the lease is still
   * ours. It is lost only if this instance stalled past the lease, and another one took over.
   */
  async function releaseLease(
    row: ConnectionRow,
    leaseId: string,
    write: (tx: Tx, locked: ConnectionsRepository) => Promise<void>,
  ): Promise<boolean> {
    return deps.db.transaction(async (tx) => {
      const locked = createConnectionsRepository(tx);
      const current = await locked.findByIdForUpdate(row.id);
      if (current?.refreshLeaseId !== leaseId) {
        deps.logger.warn({ connectionId: row.id }, 'refresh lease lost before the refresh finished');
        return false;
      }
      await write(tx, locked);
      await locked.update(row.id, { refreshLeaseId: null, refreshLeaseUntil: null });
      return true;
    });
  }

  /** Step 2: the call to Pipedrive's token endpoint, with no transaction open. */
  async function refreshWithLease(row: ConnectionRow, leaseId: string): Promise<UsableToken> {
    const refreshToken = deps.vault.openRefreshToken(
      row.companyId,
      row.pipedriveUserId,
      row.refreshTokenCiphertext ?? '',
    );
    let tokens: TokenResponse;
    try {
      tokens = await deps.oauth.refresh(refreshToken);
    } catch (error) {
      const refused = isAppError(error) && error.code === 'pipedrive.reauth_required';
      await releaseLease(row, leaseId, async (tx, locked) => {
        if (refused) await markReauthRequired(tx, row, 'refresh_refused');
        else
          await locked.update(row.id, {
            refreshFailureCount: row.refreshFailureCount + 1,
            lastRefreshFailureAt: deps.clock.now(),
          });
      });
      throw isAppError(error) ? error : createPipedriveUnavailableError({ cause: error });
    }
    const now = deps.clock.now();
    const values = {
      ...deps.vault.seal(row.companyId, row.pipedriveUserId, {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
      }),
      accessTokenExpiresAt: new Date(now.getTime() + tokens.expires_in * 1000),
      apiDomain: tokens.api_domain,
      scopes: tokens.scope,
      lastRefreshedAt: now,
      refreshFailureCount: 0,
      lastRefreshFailureAt: null,
    };
    const saved = await releaseLease(row, leaseId, async (_tx, locked) => {
      await locked.update(row.id, values);
      if (row.isOrgConnection) await locked.updateCompany(row.companyId, { apiDomain: tokens.api_domain });
    });
    if (!saved) return usable((await repository.findById(row.id)) ?? row);
    return usable({ ...row, ...values });
  }

  /** Claims the lease and refreshes, or waits for the instance holding it and uses its token. */
  async function refreshAcrossInstances(
    connectionId: string,
    staleAccessToken: string | undefined,
  ): Promise<UsableToken> {
    for (;;) {
      const claim = await claimRefresh(connectionId, staleAccessToken);
      if (claim.kind === 'gone')
        throw createReauthRequiredError({ message: 'This Pipedrive connection no longer exists.' });
      if (claim.kind === 'settled') return usable(claim.row);
      if (claim.kind === 'claimed') return refreshWithLease(claim.row, claim.leaseId);
      // Another instance is refreshing: its outcome lands in the row within the lease.
      await delay(LEASE_POLL_MS);
    }
  }

  function refresh(connectionId: string, staleAccessToken: string | undefined): Promise<UsableToken> {
    const pending = inFlight.get(connectionId);
    if (pending !== undefined) return pending;
    const attempt = refreshAcrossInstances(connectionId, staleAccessToken).finally(() => inFlight.delete(connectionId));
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
