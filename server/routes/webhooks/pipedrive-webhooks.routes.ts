import { Type } from 'typebox';
import type { App, AppServices } from '../../app.ts';
import { createErrorFactory } from '../../errors.ts';
import { readWebhookEvent } from '../../services/sync/pipedrive-webhook-events.ts';

const createWebhookUnauthorizedError = createErrorFactory({
  code: 'webhooks.unauthorized',
  statusCode: 401,
  message: 'This webhook carries no valid credentials.',
});
const createWebhookMalformedError = createErrorFactory({
  code: 'webhooks.malformed',
  statusCode: 400,
  message: 'This is not a Pipedrive webhook (v2) body.',
});

/**
 * Pipedrive's webhooks (v2, pipedrive-platform.md §6): Basic auth with the company's own random
 * password, checked in constant time; the event is stored in the inbox with its job, and the
 * answer is quick (Pipedrive gives 10 s and bans after repeated failures). Duplicates answer 200.
 */
export async function pipedriveWebhookRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const webhooks = services.domain.pipedriveWebhooks;
  fastify.post(
    '/webhooks/pipedrive/:companyId',
    {
      // Pipedrive bans a webhook after repeated failures: NULs in its payload are dropped, not refused.
      config: { nulCharacters: 'strip' },
      schema: { params: Type.Object({ companyId: Type.String({ pattern: '^[0-9]{1,15}$' }) }) },
    },
    async (request) => {
      const companyId = Number(request.params.companyId);
      if (!(await webhooks.isAuthentic(companyId, request.headers.authorization)))
        throw createWebhookUnauthorizedError();
      const event = readWebhookEvent(request.body);
      if (event === undefined) throw createWebhookMalformedError();
      const { duplicate } = await webhooks.ingest(companyId, event, request.body);
      return { ok: true, duplicate };
    },
  );
}
