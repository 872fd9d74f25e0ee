import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WhatsAppContext } from '../context.ts';
import type { MediaObject } from '../records.ts';

/** Media URLs live 5 minutes (whatsapp-cloud-api.md §1.6). */
export const MEDIA_URL_TTL_MS = 5 * 60 * 1000;

/** The sandbox's stand-in for lookaside.fbsbx.com/whatsapp_business/attachments/. */
export const MEDIA_DOWNLOAD_PATH = '/whatsapp/lookaside/whatsapp_business/attachments/';

function sign(context: WhatsAppContext, mediaId: string, expires: string): string {
  return createHmac('sha256', context.mediaUrlKey).update(`${mediaId}.${expires}`).digest('hex');
}

/** A download URL like Meta's (`?mid=…&ext=<expiry>&hash=…`) that stops working after 5 minutes. */
export function createMediaUrl(context: WhatsAppContext, media: MediaObject): string {
  const expires = String(Math.floor((context.state.clock.now().getTime() + MEDIA_URL_TTL_MS) / 1000));
  const query = new URLSearchParams({ mid: media.id, ext: expires, hash: sign(context, media.id, expires) });
  return `${context.baseUrl()}${MEDIA_DOWNLOAD_PATH}?${query.toString()}`;
}

/** The media a download URL points at, if it is genuine and not expired. */
export function resolveMediaUrl(
  context: WhatsAppContext,
  query: Record<string, string | undefined>,
): MediaObject | undefined {
  const { mid, ext, hash } = query;
  if (!mid || !ext || !hash) return undefined;
  const expected = Buffer.from(sign(context, mid, ext));
  const given = Buffer.from(hash);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  if (Number(ext) * 1000 <= context.state.clock.now().getTime()) return undefined;
  return context.state.media.get(mid);
}
