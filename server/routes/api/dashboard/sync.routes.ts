import type { FastifyRequest } from 'fastify';
import { BudgetInfo, BudgetQuery, DeadLetterList, ReplayReply } from '../../../../contracts/sync.schemas.ts';
import { IdParams } from '../../../../contracts/dashboard.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { actors } from '../../../services/audit/actor.ts';
import { requireSession } from '../../../plugins/session-auth.ts';
import { createForbiddenRoleError, createNoWorkspaceError } from '../../../services/accounts/accounts.errors.ts';

/** Admin views of the sync engine: the budget meter, and failed sync jobs (dead letters) to replay. */
export async function syncRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { domain } = services;

  const admin = (request: FastifyRequest) => {
    const session = requireSession(request);
    if (session.member === undefined) throw createNoWorkspaceError();
    if (session.member.role !== 'owner' && session.member.role !== 'admin') throw createForbiddenRoleError();
    return session.member;
  };

  fastify.get(
    '/api/budget',
    { schema: { querystring: BudgetQuery, response: { 200: BudgetInfo } } },
    async (request) => {
      const member = admin(request);
      const company = await domain.integration.connectedCompanyOf(member.workspaceId);
      const { days } = request.query;
      return {
        companyId: company.id,
        resetsAt: 'midnight UTC' as const,
        ...(await domain.budget.usage(company.id, days)),
      };
    },
  );

  fastify.get('/api/sync/dead-letters', { schema: { response: { 200: DeadLetterList } } }, async (request) => ({
    deadLetters: await domain.deadLetters.list(admin(request).workspaceId),
  }));

  fastify.post(
    '/api/sync/dead-letters/:id/replay',
    { schema: { params: IdParams, response: { 200: ReplayReply } } },
    async (request) => {
      const member = admin(request);
      const { id } = request.params;
      return {
        ok: true as const,
        ...(await domain.deadLetters.replay(member.workspaceId, id, actors.member(member.id))),
      };
    },
  );
}
