import type { FastifyInstance } from 'fastify';
import type { WebhookIngest } from '../../services/whatsapp/webhook-ingest.service.ts';
import { META_WEBHOOK_MAX_BYTES } from '../../services/whatsapp/webhook-ingest.service.ts';

/**
 * Meta's webhook callback, one URL per channel (`PUBLIC_URL/webhooks/whatsapp/:channelId`). The body
 * is kept as raw bytes (the signature covers them exactly), whatever the Content-Type, so the service
 * decides: bad signature → 401/403 before anything is parsed, then non-JSON or malformed → 400.
 * Meta is a server, not a browser: helmet's headers (CSP, frame and HSTS rules) mean nothing to it,
 * and helmet builds them anew on every request, so these routes go without (issue 13's profile).
 */
export async function whatsappWebhookRoutes(
  fastify: FastifyInstance,
  { ingest }: { ingest: WebhookIngest },
): Promise<void> {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: META_WEBHOOK_MAX_BYTES }, (_request, body, done) =>
    done(null, body),
  );

  fastify.get<{ Params: { channelId: string }; Querystring: Record<string, unknown> }>(
    '/webhooks/whatsapp/:channelId',
    { helmet: false },
    async (request, reply) => {
      const challenge = await ingest.verifyHandshake(request.params.channelId, request.query);
      return reply.header('content-type', 'text/plain; charset=utf-8').send(challenge);
    },
  );

  fastify.post<{ Params: { channelId: string } }>(
    '/webhooks/whatsapp/:channelId',
    { bodyLimit: META_WEBHOOK_MAX_BYTES, helmet: false },
    async (request, reply) => {
      const signature = request.headers['x-hub-signature-256'];
      await ingest.ingest({
        channelId: request.params.channelId,
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        signature: typeof signature === 'string' ? signature : undefined,
        contentType: request.headers['content-type'],
      });
      return reply.header('content-type', 'text/plain; charset=utf-8').send('EVENT_RECEIVED');
    },
  );
}
