import type { FastifyInstance } from 'fastify';
import type { WhatsAppContext } from '../context.ts';
import { MEDIA_DOWNLOAD_PATH, resolveMediaUrl } from './media-url.ts';

/**
 * The media download URL handed out by GET /{media-id}. Like Meta's it needs the same bearer token
 * as the Graph API. Choices where Meta's exact answers are not documented: no or wrong token → 401;
 * an expired or tampered URL → 404 (ask GET /{media-id} for a fresh one).
 */
export async function mediaDownloadRoutes(
  fastify: FastifyInstance,
  options: { context: WhatsAppContext },
): Promise<void> {
  const { context } = options;
  const { state } = context;
  fastify.get<{ Querystring: Record<string, string | undefined> }>(MEDIA_DOWNLOAD_PATH, async (request, reply) => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const grant = token ? state.grants.get(token) : undefined;
    const now = state.clock.now().getTime();
    if (!grant || (grant.expiresAt && grant.expiresAt.getTime() <= now)) {
      return reply.status(401).type('text/plain; charset=utf-8').send('Unauthorized: a valid access token is required');
    }
    const media = resolveMediaUrl(context, request.query);
    const phone = media && state.phones.get(media.phoneNumberId);
    if (!media || !phone) return reply.status(404).type('text/plain; charset=utf-8').send('URL signature expired');
    if (!grant.wabaIds.includes(phone.wabaId)) {
      return reply
        .status(401)
        .type('text/plain; charset=utf-8')
        .send('Unauthorized: the token may not read this media');
    }
    return reply
      .header('content-type', media.mimeType)
      .header('content-length', String(media.bytes.length))
      .header('content-disposition', `inline; filename="${media.filename ?? `${media.id}`}"`)
      .send(media.bytes);
  });
}
