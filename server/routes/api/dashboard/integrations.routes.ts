import {
  AuditActorsReply,
  AuditQuery,
  AuditReply,
  DisconnectOrganizationReply,
  IntegrationInfo,
  Ok,
} from '../../../../contracts/dashboard.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { requireMember } from '../../../plugins/session-auth.ts';

/** `/integrations/pipedrive` in the dashboard: what is connected, the two disconnects; and `/audit`. */
export async function integrationsRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { integration } = services.domain;

  fastify.get('/api/integrations/pipedrive', { schema: { response: { 200: IntegrationInfo } } }, async (request) =>
    integration.overview(requireMember(request)),
  );

  fastify.post(
    '/api/integrations/pipedrive/disconnect-organization',
    { schema: { response: { 200: DisconnectOrganizationReply } } },
    async (request) => ({
      ok: true as const,
      endedConnections: await integration.disconnectOrganization(requireMember(request)),
    }),
  );

  fastify.post(
    '/api/integrations/pipedrive/disconnect-personal',
    { schema: { response: { 200: Ok } } },
    async (request) => {
      await integration.disconnectPersonal(requireMember(request));
      return { ok: true as const };
    },
  );

  fastify.get('/api/audit', { schema: { querystring: AuditQuery, response: { 200: AuditReply } } }, async (request) =>
    integration.auditLog(requireMember(request), request.query),
  );

  fastify.get('/api/audit/actors', { schema: { response: { 200: AuditActorsReply } } }, async (request) =>
    integration.auditActors(requireMember(request)),
  );
}
