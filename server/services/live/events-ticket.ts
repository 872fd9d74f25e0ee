import { createHash, createHmac, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { DbOrTx } from '../../db/client.ts';
import { oauthStates } from '../../db/schema/index.ts';
import { constantTimeEqual } from '../crypto/constant-time.ts';
import { createEventsTicketInvalidError } from './live.errors.ts';

/**
 * The ticket that authorizes one live-update stream. `EventSource` cannot send an Authorization
 * header, so the panel trades its signed token for this ticket and puts it in the stream's URL.
 * It names the company and user, lives at most a minute, and is accepted once: its nonce is
 * recorded in `oauth_states` (Parley's table of single-use nonces; maintenance deletes expired ones)
 * and consumed atomically, so a ticket copied from a URL is useless after the panel used it.
 */
export const EVENTS_TICKET_TTL_MS = 60_000;
const PURPOSE = 'events_ticket';

export interface EventsTicketClaims {
  companyId: number;
  userId: number;
}

interface TicketBody extends EventsTicketClaims {
  nonce: string;
  /** Unix ms. */
  expiresAt: number;
}

const sign = (secret: string, body: string) =>
  createHmac('sha256', secret).update(`events-ticket:${body}`).digest('base64url');
const hashNonce = (nonce: string) => createHash('sha256').update(`events-ticket:${nonce}`).digest('base64url');

export function createEventsTicketService(deps: { db: DbOrTx; secret: string; clock: Clock }) {
  return {
    async mint(viewer: EventsTicketClaims): Promise<{ ticket: string; expiresAt: Date }> {
      const nonce = randomBytes(24).toString('base64url');
      const expiresAt = new Date(deps.clock.now().getTime() + EVENTS_TICKET_TTL_MS);
      const body = Buffer.from(
        JSON.stringify({
          companyId: viewer.companyId,
          userId: viewer.userId,
          nonce,
          expiresAt: expiresAt.getTime(),
        } satisfies TicketBody),
      ).toString('base64url');
      await deps.db.insert(oauthStates).values({ nonceHash: hashNonce(nonce), purpose: PURPOSE, expiresAt });
      return { ticket: `${body}.${sign(deps.secret, body)}`, expiresAt };
    },

    /** Verifies signature and expiry, then marks the ticket used; any failure is the same 401. */
    async consume(ticket: string): Promise<EventsTicketClaims> {
      const [body, signature, extra] = ticket.split('.');
      if (
        body === undefined ||
        signature === undefined ||
        extra !== undefined ||
        !constantTimeEqual(signature, sign(deps.secret, body))
      )
        throw createEventsTicketInvalidError({ details: { reason: 'signature' } });
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TicketBody;
      const now = deps.clock.now();
      if (!(claims.expiresAt > now.getTime())) throw createEventsTicketInvalidError({ details: { reason: 'expired' } });
      const consumed = await deps.db
        .update(oauthStates)
        .set({ consumedAt: now, updatedAt: now })
        .where(
          and(
            eq(oauthStates.nonceHash, hashNonce(claims.nonce)),
            eq(oauthStates.purpose, PURPOSE),
            isNull(oauthStates.consumedAt),
            gt(oauthStates.expiresAt, now),
          ),
        )
        .returning({ nonceHash: oauthStates.nonceHash });
      if (consumed.length === 0) throw createEventsTicketInvalidError({ details: { reason: 'used' } });
      return { companyId: claims.companyId, userId: claims.userId };
    },
  };
}

export type EventsTicketService = ReturnType<typeof createEventsTicketService>;
