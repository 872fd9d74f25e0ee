import { createHash, createHmac, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { DbOrTx } from '../../db/client.ts';
import { oauthStates } from '../../db/schema/index.ts';
import { createErrorFactory } from '../../errors.ts';
import { constantTimeEqual } from '../crypto/constant-time.ts';

/**
 * The OAuth `state`: signed, expiring, single-use, bound to the browser that started the flow
 * (a nonce cookie) and to its purpose. Flows Parley starts always carry one; a callback without
 * state can only be a Marketplace install, which is handled without trusting any session.
 */
export type OAuthPurpose = 'marketplace_install' | 'org_connect' | 'personal_connect' | 'sign_in';

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
      await deps.db.insert(oauthStates).values({ nonceHash: hashNonce(nonce), purpose: input.purpose, expiresAt });
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
      const now = deps.clock.now();
      if (payload.expiresAt <= now.getTime()) throw createStateInvalidError({ details: { reason: 'expired' } });
      const cookie = cookies[nonceCookieName(payload.nonce)];
      if (cookie === undefined || !constantTimeEqual(cookie, payload.nonce))
        throw createStateInvalidError({ details: { reason: 'browser' } });
      const consumed = await deps.db
        .update(oauthStates)
        .set({ consumedAt: now })
        .where(
          and(
            eq(oauthStates.nonceHash, hashNonce(payload.nonce)),
            isNull(oauthStates.consumedAt),
            gt(oauthStates.expiresAt, now),
          ),
        )
        .returning({ nonceHash: oauthStates.nonceHash });
      if (consumed.length === 0) throw createStateInvalidError({ details: { reason: 'used' } });
      return payload;
    },
  };
}

export type OAuthStateService = ReturnType<typeof createOAuthStateService>;
