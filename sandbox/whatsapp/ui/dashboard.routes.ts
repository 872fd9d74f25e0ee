import type { FastifyInstance } from 'fastify';
import type { WhatsAppContext } from '../context.ts';
import type { SandboxBusinessNumber } from '../emulator.ts';
import { configureWebhook } from '../webhooks/verification.ts';
import type { TemplateStatus } from '../records.ts';
import { changeTemplateStatus } from '../template-status.ts';
import { renderDashboardPage } from './dashboard-page.ts';

export const DASHBOARD_PATH = '/whatsapp/apps';

/**
 * A small "Meta App Dashboard": each app's id and secret, its webhook callback URL and verify token
 * (saving runs the GET verify handshake, as Meta does), the WABA's numbers and tokens, the
 * subscription state, and the latest delivery attempts.
 */
export async function dashboardRoutes(
  fastify: FastifyInstance,
  options: { context: WhatsAppContext; numbers: SandboxBusinessNumber[] },
): Promise<void> {
  const { context } = options;
  const { state } = context;

  fastify.get<{ Querystring: Record<string, string | undefined> }>(DASHBOARD_PATH, async (request, reply) => {
    const page = renderDashboardPage({ state, numbers: options.numbers, focusAppId: request.query['app'] ?? null });
    return reply.type('text/html; charset=utf-8').send(page);
  });

  // "Change status" on a template: what Meta's review or quality rating does, with its webhook.
  fastify.post(`${DASHBOARD_PATH}/template-status`, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const text = (key: string) => (typeof body[key] === 'string' ? body[key] : '');
    const [wabaId = '', name = '', language = ''] = text('template').split('|');
    try {
      changeTemplateStatus(context, {
        wabaId,
        name,
        language,
        status: text('status') as TemplateStatus,
        ...(typeof body['reason'] === 'string' && body['reason'] !== '' ? { reason: body['reason'] } : {}),
      });
    } catch (error) {
      return reply.status(400).send({ error: error instanceof Error ? error.message : String(error) });
    }
    const waba = state.wabas.get(wabaId);
    return reply.redirect(`${DASHBOARD_PATH}#app-${waba?.appId ?? ''}`, 303);
  });

  fastify.post<{ Params: { appId: string } }>(`${DASHBOARD_PATH}/:appId/webhook`, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (!state.apps.has(request.params.appId)) return reply.status(404).send({ error: 'unknown app' });
    await configureWebhook(state, {
      appId: request.params.appId,
      callbackUrl: typeof body['callback_url'] === 'string' ? body['callback_url'].trim() : '',
      verifyToken: typeof body['verify_token'] === 'string' ? body['verify_token'] : '',
    });
    // The page shows the outcome of the latest handshake for this app.
    return reply.redirect(
      `${DASHBOARD_PATH}?app=${encodeURIComponent(request.params.appId)}#app-${request.params.appId}`,
      303,
    );
  });
}
