import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppServices } from '../../../app.ts';
import { createErrorFactory } from '../../../errors.ts';
import { createExtensionAuthHook, type Viewer } from '../../../plugins/extension-auth.ts';
import { mintConnectTicket } from '../../../services/connections/connect-ticket.ts';
import { createOrgNotConnectedError } from '../../../services/connections/connections.errors.ts';
import { SyncSettingsSchema, type SyncSettings } from '../../../services/settings/sync-settings.ts';
import { Type } from 'typebox';

const createAdminOnlyError = createErrorFactory({
  code: 'connections.pipedrive_admin_only',
  statusCode: 403,
  message: 'Only a Pipedrive admin who has connected Parley can do this. Ask your Pipedrive admin.',
});

const viewerOf = (request: FastifyRequest): Viewer => request.viewer as Viewer;

/**
 * APIs for the panels Pipedrive embeds. Every request carries the SDK's signed token; the viewer's
 * company and user come from it alone. Pipedrive does not send cookies into the iframe reliably,
 * so nothing here uses the dashboard session.
 */
export async function panelRoutes(fastify: FastifyInstance, { services }: { services: AppServices }): Promise<void> {
  const { config, domain } = services;
  fastify.addHook('onRequest', createExtensionAuthHook(config.pipedrive.jwtSecret));

  /** The viewer's record says they are a Pipedrive admin (learned from `/users/me` when they connected). */
  async function requirePipedriveAdmin(viewer: Viewer) {
    const status = await domain.status.viewerStatus(viewer.companyId, viewer.userId);
    if (status.viewer.isPipedriveAdmin !== true) throw createAdminOnlyError();
    return status;
  }

  fastify.get('/api/panel/status', async (request) => {
    const viewer = viewerOf(request);
    const status = await domain.status.viewerStatus(viewer.companyId, viewer.userId);
    return {
      ...status,
      links: {
        dashboard: `${config.publicUrl}/integrations/pipedrive`,
        install: `${config.publicUrl}/oauth/install`,
      },
    };
  });

  fastify.post('/api/panel/connect-ticket', async (request) => {
    const viewer = viewerOf(request);
    const ticket = await mintConnectTicket(config.sessionSecret, viewer);
    return { url: `${config.publicUrl}/oauth/install?purpose=personal&ticket=${encodeURIComponent(ticket)}` };
  });

  fastify.post('/api/panel/disconnect-personal', async (request) => {
    const viewer = viewerOf(request);
    const ended = await domain.lifecycle.disconnectPersonal(
      viewer.companyId,
      viewer.userId,
      `pipedrive_user:${viewer.companyId}:${viewer.userId}`,
    );
    return { ok: true, ended };
  });

  fastify.post('/api/panel/disconnect-organization', async (request) => {
    const viewer = viewerOf(request);
    const status = await requirePipedriveAdmin(viewer);
    if (!status.organization.connected) throw createOrgNotConnectedError();
    const ended = await domain.lifecycle.disconnectOrganization(
      viewer.companyId,
      `pipedrive_user:${viewer.companyId}:${viewer.userId}`,
    );
    return { ok: true, endedConnections: ended };
  });

  fastify.get('/api/panel/settings', async (request) => {
    const viewer = viewerOf(request);
    const status = await domain.status.viewerStatus(viewer.companyId, viewer.userId);
    if (!status.organization.connected) throw createOrgNotConnectedError();
    return {
      settings: await domain.syncSettings.get(viewer.companyId),
      canEdit: status.viewer.isPipedriveAdmin === true,
    };
  });

  // Choices for the settings form, read with the viewer's own grant when they have one (Pipedrive's
  // visibility applies), else with the organization's.
  fastify.get('/api/panel/settings/options', async (request) => {
    const viewer = viewerOf(request);
    const status = await requirePipedriveAdmin(viewer);
    const api = status.personal.connected
      ? await domain.pipedrive.forViewer(viewer, 'settings')
      : await domain.pipedrive.forCompany(viewer.companyId, 'settings');
    const [pipelines, leadLabels, users] = await Promise.all([
      api.listPipelinesWithStages(),
      api.listLeadLabels(),
      api.listActiveUsers(),
    ]);
    return { pipelines, leadLabels, users };
  });

  fastify.put('/api/panel/settings', { schema: { body: SyncSettingsSchema } }, async (request) => {
    const viewer = viewerOf(request);
    const status = await requirePipedriveAdmin(viewer);
    if (!status.organization.connected) throw createOrgNotConnectedError();
    const settings = await domain.syncSettings.save(viewer.companyId, request.body as SyncSettings, null);
    await domain.audit.record({
      companyId: viewer.companyId,
      actor: `pipedrive_user:${viewer.companyId}:${viewer.userId}`,
      action: 'settings.updated',
      detail: { ...settings },
    });
    return { settings };
  });

  // Pin a chat to a deal: the deal is read with the viewer's own grant (Pipedrive's visibility applies).
  fastify.post(
    '/api/panel/chats/:chatId/pin',
    {
      schema: {
        params: Type.Object({ chatId: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ dealId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const viewer = viewerOf(request);
      const { chatId } = request.params as { chatId: string };
      return domain.chatChoices.pinDeal(viewer, chatId, (request.body as { dealId: number }).dealId);
    },
  );
}
