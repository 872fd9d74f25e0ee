import { createHmac } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { createErrorFactory } from '../../errors.ts';
import { constantTimeEqual } from '../crypto/constant-time.ts';

/**
 * How long a media link in a panel's message payload works. Panels run inside Pipedrive's iframe
 * and authenticate with the SDK's token, which an `<img>` or `<audio>` cannot send; the link itself
 * is the credential, so it is short-lived. Expiries are rounded up to the minute so a panel that
 * re-reads its messages gets the same URL (the browser's cache keeps the image) within that minute.
 */
export const MEDIA_LINK_TTL_MS = 60_000;
const ROUND_MS = 60_000;

export const createMediaLinkInvalidError = createErrorFactory({
  code: 'media.link_invalid',
  statusCode: 403,
  message: 'This media link is not valid. Open the chat again to get a fresh one.',
});
export const createMediaLinkExpiredError = createErrorFactory({
  code: 'media.link_expired',
  statusCode: 403,
  message: 'This media link has expired. Open the chat again to get a fresh one.',
});

export interface MediaLinkQuery {
  company: number;
  /** Unix seconds. */
  expires: number;
  signature: string;
}

/**
 * Signed, short-lived URLs for a message's stored media, bound to the company the panel token
 * named, the message id and the expiry (HMAC-SHA256 with a purpose prefix, so no other signed
 * value of Parley's can be replayed as one).
 */
export function createMediaLinks(deps: { secret: string; clock: Clock }) {
  const sign = (company: number, messageId: string, expires: number) =>
    createHmac('sha256', deps.secret).update(`panel-media:${company}:${messageId}:${expires}`).digest('base64url');

  return {
    /** A relative URL (panels live on Parley's origin) for the message's media, valid about a minute. */
    url(companyId: number, messageId: string): string {
      const now = deps.clock.now().getTime();
      const expires = Math.ceil((now + MEDIA_LINK_TTL_MS) / ROUND_MS) * (ROUND_MS / 1000);
      const query = new URLSearchParams({
        company: String(companyId),
        expires: String(expires),
        signature: sign(companyId, messageId, expires),
      });
      return `/api/panel/media/${encodeURIComponent(messageId)}?${query.toString()}`;
    },

    /** The company the link was issued to; throws on a tampered or expired link (signature checked first). */
    verify(messageId: string, query: MediaLinkQuery): { companyId: number; secondsLeft: number } {
      if (!constantTimeEqual(query.signature, sign(query.company, messageId, query.expires)))
        throw createMediaLinkInvalidError();
      const msLeft = query.expires * 1000 - deps.clock.now().getTime();
      if (msLeft <= 0) throw createMediaLinkExpiredError();
      return { companyId: query.company, secondsLeft: Math.floor(msLeft / 1000) };
    },
  };
}

export type MediaLinks = ReturnType<typeof createMediaLinks>;
