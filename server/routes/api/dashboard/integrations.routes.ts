import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppServices } from '../../../app.ts';
import { createConnectionsRepository } from '../../../db/repositories/connections.repository.ts';
import { createSessionHook, requireSession } from '../../../plugins/session-auth.ts';
import { createForbiddenRoleError, createNoWorkspaceError } from '../../../services/accounts/accounts.errors.ts';
import {
  createOrgNotConnectedError,
  createPersonalNotConnectedError,
} from '../../../services/connections/connections.errors.ts';

/** `/integrations/pipedrive` in the dashboard: what is connected, and the two disconnects. */
export async function integrationsRoutes(
  fastify: FastifyInstance,
  { services }: { services: AppServices },
): Promise<void> {
  const { config, domain, database } = services;
  fastify.addHook('onRequest', createSessionHook({ sessions: domain.sessions, config }, { required: true }));

  const membership = (request: FastifyRequest) => {
    const session = requireSession(request);
    if (session.member === undefined) throw createNoWorkspaceError();
    return { member: session.member, isAdmin: session.member.role === 'owner' || session.member.role === 'admin' };
  };

  fastify.get('/api/integrations/pipedrive', async (request) => {
    const { member, isAdmin } = membership(request);
    const repository = createConnectionsRepository(database.db);
    const company = await repository.findCompanyByWorkspace(member.workspaceId);
    const connections = company === undefined ? [] : await repository.listByCompany(company.id);
    const org = connections.find((row) => row.isOrgConnection && row.state !== 'revoked');
    const mine = connections.find((row) => row.memberId === member.id && row.state !== 'revoked');
    return {
      role: member.role,
      company:
        company === undefined
          ? null
          : {
              id: company.id,
              name: company.name,
              status: company.status,
              purgeAfter: company.purgeAfter,
              // Deep link into Pipedrive's settings page of the app (pipedrive-platform.md §1.7).
              appSettingsUrl:
                company.apiDomain === null
                  ? null
                  : `${company.apiDomain}/settings/marketplace/app/${config.pipedrive.clientId}/app-settings`,
            },
      organization:
        org === undefined
          ? null
          : {
              state: org.state,
              connectedBy: org.pipedriveUserName,
              connectedAt: org.connectedAt,
              pipedriveUserId: org.pipedriveUserId,
            },
      personal:
        mine === undefined || !mine.isPersonalConnection
          ? null
          : { state: mine.state, pipedriveUserName: mine.pipedriveUserName, connectedAt: mine.connectedAt },
      connectedUsers: isAdmin
        ? connections
            .filter((row) => row.state !== 'revoked' && row.isPersonalConnection)
            .map((row) => ({
              name: row.pipedriveUserName,
              email: row.pipedriveUserEmail,
              state: row.state,
              isOrgConnection: row.isOrgConnection,
            }))
        : [],
    };
  });

  fastify.post('/api/integrations/pipedrive/disconnect-organization', async (request) => {
    const { member, isAdmin } = membership(request);
    if (!isAdmin) throw createForbiddenRoleError();
    const company = await createConnectionsRepository(database.db).findCompanyByWorkspace(member.workspaceId);
    if (company === undefined || company.status !== 'connected') throw createOrgNotConnectedError();
    const ended = await domain.lifecycle.disconnectOrganization(company.id, `member:${member.id}`);
    return { ok: true, endedConnections: ended };
  });

  fastify.post('/api/integrations/pipedrive/disconnect-personal', async (request) => {
    const { member } = membership(request);
    const repository = createConnectionsRepository(database.db);
    const company = await repository.findCompanyByWorkspace(member.workspaceId);
    const mine =
      company === undefined
        ? undefined
        : (await repository.listByCompany(company.id)).find(
            (row) => row.memberId === member.id && row.state !== 'revoked' && row.isPersonalConnection,
          );
    if (mine === undefined)
      throw createPersonalNotConnectedError({ message: 'You have no personal Pipedrive connection to end.' });
    await domain.lifecycle.disconnectPersonal(mine.companyId, mine.pipedriveUserId, `member:${member.id}`);
    return { ok: true };
  });

  fastify.get(
    '/api/audit',
    {
      schema: {
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          subjectId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        }),
      },
    },
    async (request) => {
      const { member, isAdmin } = membership(request);
      if (!isAdmin) throw createForbiddenRoleError();
      const query = request.query as { limit?: number; before?: number; action?: string; subjectId?: string };
      const company = await createConnectionsRepository(database.db).findCompanyByWorkspace(member.workspaceId);
      const limit = query.limit ?? 50;
      const entries = await domain.audit.list(
        { workspaceId: member.workspaceId, ...(company === undefined ? {} : { companyId: company.id }) },
        { ...query, limit },
      );
      return { entries, nextBefore: entries.length === limit ? (entries.at(-1)?.id ?? null) : null };
    },
  );
}
