import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { DbOrTx } from '../../db/client.ts';
import { oauthStates } from '../../db/schema/index.ts';
import { createErrorFactory } from '../../errors.ts';
import { constantTimeEqual } from '../crypto/constant-time.ts';
import { isPipedriveId } from '../pipedrive/pipedrive-ids.ts';

/**
 * The OAuth `state`: signed, expiring, single-use, bound to the browser that started the flow
 * (a nonce cookie) and to its purpose. Flows Parley starts always carry one; a callback without
 * state can only be a Marketplace install, which is handled without trusting any session.
 *
 * Minting writes nothing: `/oauth/install` is anonymous, and a row per call let anyone fill the
 * table (issue 7, finding 15). The state is self-contained (signed payload); single use is recorded
 * when the callback consumes it — an insert that fails on a second use of the same nonce. Only a
 * callback carrying a state Parley signed, from the browser holding its nonce cookie, writes a row.
 */
const OAUTH_PURPOSES = ['marketplace_install', 'org_connect', 'personal_connect', 'sign_in'] as const;
export type OAuthPurpose = (typeof OAUTH_PURPOSES)[number];

export interface OAuthStatePayload {
  purpose: OAuthPurpose;
  nonce: string;
  /** Unix ms. */
  expiresAt: number;
  /** Personal connect started from a panel: the Pipedrive user who must be the one consenting. */
  panelUser?: { companyId: number; userId: number };
  /** The flow runs in a popup opened by a Pipedrive panel; the result page closes it. */
  popup?: boolean;
}

export const createStateInvalidError = createErrorFactory({
  code: 'oauth.state_invalid',
  statusCode: 400,
  message: 'This connection link is invalid, expired, or was already used. Start the connection again.',
});

const STATE_TTL_MS = 10 * 60 * 1000;

/** Name of the cookie holding a state's nonce (one per flow, so parallel flows in two tabs work). */
export const nonceCookieName = (nonce: string) =>
  `parley_oauth_${createHash('sha256').update(nonce).digest('hex').slice(0, 16)}`;

const sign = (secret: string, body: string) =>
  createHmac('sha256', secret).update(`oauth-state:${body}`).digest('base64url');
const hashNonce = (nonce: string) => createHash('sha256').update(nonce).digest('base64url');

export function createOAuthStateService(deps: { db: DbOrTx; secret: string; clock: Clock }) {
  return {
    async mint(
      input: Omit<OAuthStatePayload, 'nonce' | 'expiresAt'>,
    ): Promise<{ state: string; nonce: string; expiresAt: Date }> {
      const nonce = randomBytes(24).toString('base64url');
      const expiresAt = new Date(deps.clock.now().getTime() + STATE_TTL_MS);
      const body = Buffer.from(
        JSON.stringify({ ...input, nonce, expiresAt: expiresAt.getTime() } satisfies OAuthStatePayload),
      ).toString('base64url');
      return { state: `${body}.${sign(deps.secret, body)}`, nonce, expiresAt };
    },

    /** Verifies signature, expiry, browser binding and single use; marks the state used. */
    async consume(state: string, cookies: Record<string, string | undefined>): Promise<OAuthStatePayload> {
      const [body, signature, extra] = state.split('.');
      if (
        body === undefined ||
        signature === undefined ||
        extra !== undefined ||
        !constantTimeEqual(signature, sign(deps.secret, body))
      ) {
        throw createStateInvalidError({ details: { reason: 'signature' } });
      }
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as OAuthStatePayload;
      // Signed by Parley, but checked anyway: the flow's purpose decides what the callback does.
      if (!isWellFormed(payload)) throw createStateInvalidError({ details: { reason: 'payload' } });
      const now = deps.clock.now();
      if (payload.expiresAt <= now.getTime()) throw createStateInvalidError({ details: { reason: 'expired' } });
      const cookie = cookies[nonceCookieName(payload.nonce)];
      if (cookie === undefined || !constantTimeEqual(cookie, payload.nonce))
        throw createStateInvalidError({ details: { reason: 'browser' } });
      // The first consumer inserts the nonce's row; a replay finds it there.
      const consumed = await deps.db
        .insert(oauthStates)
        .values({
          nonceHash: hashNonce(payload.nonce),
          purpose: payload.purpose,
          expiresAt: new Date(payload.expiresAt),
          consumedAt: now,
        })
        .onConflictDoNothing()
        .returning({ nonceHash: oauthStates.nonceHash });
      if (consumed.length === 0) throw createStateInvalidError({ details: { reason: 'used' } });
      return payload;
    },
  };
}

function isWellFormed(payload: OAuthStatePayload): boolean {
  const purposes: readonly string[] = OAUTH_PURPOSES;
  return (
    purposes.includes(payload.purpose) &&
    typeof payload.nonce === 'string' &&
    Number.isSafeInteger(payload.expiresAt) &&
    (payload.panelUser === undefined ||
      (isPipedriveId(payload.panelUser.companyId) && isPipedriveId(payload.panelUser.userId)))
  );
}

export type OAuthStateService = ReturnType<typeof createOAuthStateService>;
