import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { Db, Tx } from '../../db/client.ts';
import { pendingInstalls } from '../../db/schema/index.ts';
import { createEmailUnverifiedError } from '../accounts/accounts.errors.ts';
import { normalizeEmail } from '../accounts/accounts.service.ts';
import { hashToken, type ResolvedSession } from '../accounts/session.service.ts';
import { constantTimeEqual } from '../crypto/constant-time.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { TokenResponse } from '../pipedrive/oauth-client.ts';
import type { PipedriveIdentity } from '../pipedrive/pipedrive-api.ts';
import {
  createPendingInstallExpiredError,
  createPendingInstallOtherBrowserError,
  createPendingInstallWrongAccountError,
} from './connections.errors.ts';

const PENDING_INSTALL_TTL_MS = 30 * 60 * 1000;

/** What the confirmation page of a parked install names: the Pipedrive company and user. */
export interface PendingInstallSummary {
  companyName: string;
  companyDomain: string;
  userName: string;
  email: string;
}

/**
 * Marketplace installs parked while their admin signs in to an existing Parley account (table
 * `pending_installs`): the exchanged grant, encrypted, bound to the browser that started the install.
 */
export function createParkedInstalls(deps: { db: Db; secretBox: SecretBox; clock: Clock }) {
  const pendingAad = (id: string) => `pending_installs:${id}`;

  /**
   * The grant waits (encrypted) while an existing account signs in; codes expire too fast to wait.
   * It is bound to a nonce the route sets as a cookie in this browser: only this browser resumes it.
   */
  async function park(
    tx: Tx,
    identity: PipedriveIdentity,
    grant: TokenResponse,
  ): Promise<{ pendingInstallId: string; browserNonce: string }> {
    const id = randomUUID();
    const browserNonce = randomBytes(32).toString('base64url');
    await tx.insert(pendingInstalls).values({
      id,
      companyId: identity.companyId,
      pipedriveUserId: identity.userId,
      identity: { ...identity },
      grantCiphertext: deps.secretBox.encrypt(JSON.stringify(grant), pendingAad(id)),
      browserNonceHash: hashToken(browserNonce),
      expiresAt: new Date(deps.clock.now().getTime() + PENDING_INSTALL_TTL_MS),
    });
    return { pendingInstallId: id, browserNonce };
  }

  /**
   * A parked install may continue only in the browser that started it, for the signed-in account
   * whose verified email is the Pipedrive user's. Throws the reason otherwise.
   */
  async function findResumable(
    pendingInstallId: string,
    session: ResolvedSession,
    browserNonce: string | undefined,
  ): Promise<{ identity: PipedriveIdentity }> {
    const now = deps.clock.now();
    const [pending] = await deps.db
      .select()
      .from(pendingInstalls)
      .where(
        and(
          eq(pendingInstalls.id, pendingInstallId),
          isNull(pendingInstalls.consumedAt),
          gt(pendingInstalls.expiresAt, now),
        ),
      );
    if (pending === undefined) throw createPendingInstallExpiredError();
    if (browserNonce === undefined || !constantTimeEqual(hashToken(browserNonce), pending.browserNonceHash))
      throw createPendingInstallOtherBrowserError();
    const identity = pending.identity as unknown as PipedriveIdentity;
    if (session.account.email !== normalizeEmail(identity.email))
      throw createPendingInstallWrongAccountError({
        message: `This installation is for ${identity.email}. Sign in to Parley as ${identity.email} to finish it.`,
      });
    if (!session.account.emailVerified) throw createEmailUnverifiedError();
    return { identity };
  }

  /** Marks the parked install used (once, by this browser) and opens its grant. */
  async function take(
    pendingInstallId: string,
    browserNonce: string,
  ): Promise<{ identity: PipedriveIdentity; grant: TokenResponse }> {
    const now = deps.clock.now();
    const [pending] = await deps.db
      .update(pendingInstalls)
      .set({ consumedAt: now })
      .where(
        and(
          eq(pendingInstalls.id, pendingInstallId),
          eq(pendingInstalls.browserNonceHash, hashToken(browserNonce)),
          isNull(pendingInstalls.consumedAt),
          gt(pendingInstalls.expiresAt, now),
        ),
      )
      .returning();
    if (pending === undefined) throw createPendingInstallExpiredError();
    const grant = JSON.parse(deps.secretBox.decrypt(pending.grantCiphertext, pendingAad(pending.id))) as TokenResponse;
    await deps.db.delete(pendingInstalls).where(eq(pendingInstalls.id, pending.id));
    return { identity: pending.identity as unknown as PipedriveIdentity, grant };
  }

  async function describe(
    pendingInstallId: string,
    session: ResolvedSession,
    browserNonce: string | undefined,
  ): Promise<PendingInstallSummary> {
    const { identity } = await findResumable(pendingInstallId, session, browserNonce);
    return {
      companyName: identity.companyName,
      companyDomain: identity.companyDomain,
      userName: identity.name,
      email: identity.email,
    };
  }

  return { park, findResumable, take, describe };
}
