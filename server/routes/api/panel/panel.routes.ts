import {
  ConnectTicketReply,
  DisconnectOrganizationReply,
  DisconnectPersonalReply,
  PanelStatus,
  PinChatParams,
  PinDealBody,
  PinDealReply,
  SavedSettingsReply,
  SettingsOptions,
  SettingsReply,
  SyncSettingsSchema,
} from '../../../../contracts/panel.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { requireViewer } from '../../../plugins/extension-auth.ts';

/**
 * APIs for the panels Pipedrive embeds. Every request carries the SDK's signed token; the viewer's
 * company and user come from it alone. Pipedrive does not send cookies into the iframe reliably,
 * so nothing here uses the dashboard session.
 */
export async function panelRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { panel } = services.domain;

  fastify.get('/api/panel/status', { schema: { response: { 200: PanelStatus } } }, async (request) =>
    panel.status(requireViewer(request)),
  );

  fastify.post('/api/panel/connect-ticket', { schema: { response: { 200: ConnectTicketReply } } }, async (request) => ({
    url: await panel.connectTicketUrl(requireViewer(request)),
  }));

  fastify.post(
    '/api/panel/disconnect-personal',
    { schema: { response: { 200: DisconnectPersonalReply } } },
    async (request) => ({ ok: true as const, ended: await panel.disconnectPersonal(requireViewer(request)) }),
  );

  fastify.post(
    '/api/panel/disconnect-organization',
    { schema: { response: { 200: DisconnectOrganizationReply } } },
    async (request) => ({
      ok: true as const,
      endedConnections: await panel.disconnectOrganization(requireViewer(request)),
    }),
  );

  fastify.get('/api/panel/settings', { schema: { response: { 200: SettingsReply } } }, async (request) =>
    panel.settings(requireViewer(request)),
  );

  fastify.get('/api/panel/settings/options', { schema: { response: { 200: SettingsOptions } } }, async (request) =>
    panel.settingsOptions(requireViewer(request)),
  );

  fastify.put(
    '/api/panel/settings',
    { schema: { body: SyncSettingsSchema, response: { 200: SavedSettingsReply } } },
    async (request) => ({ settings: await panel.saveSettings(requireViewer(request), request.body) }),
  );

  // Pin a chat to a deal: the deal is read with the viewer's own grant (Pipedrive's visibility applies).
  fastify.post(
    '/api/panel/chats/:chatId/pin',
    { schema: { params: PinChatParams, body: PinDealBody, response: { 200: PinDealReply } } },
    async (request) =>
      services.domain.chatChoices.pinDeal(requireViewer(request), request.params.chatId, request.body.dealId),
  );
}
