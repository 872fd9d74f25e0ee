import type { FastifyRequest } from 'fastify';
import {
  ChangeRoleBody,
  IdParams,
  InviteBody,
  InviteReply,
  JoinRequestDecisionParams,
  Ok,
  TeamInfo,
} from '../../../../contracts/dashboard.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { edgeRateLimit } from '../../../plugins/rate-limit.plugin.ts';
import { requireMember, requireSession } from '../../../plugins/session-auth.ts';
import type { Acting } from '../../../services/accounts/team.service.ts';

const ok = { ok: true as const };

/** `/team`: members and roles, invitations (copyable links), join requests. */
export async function teamRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { domain } = services;
  const acting = (request: FastifyRequest): Acting => ({ member: requireMember(request) });

  fastify.get('/api/team', { schema: { response: { 200: TeamInfo } } }, async (request) =>
    domain.team.overview(requireMember(request)),
  );

  fastify.post(
    '/api/team/invitations',
    { config: edgeRateLimit('invitationCreate'), schema: { body: InviteBody, response: { 201: InviteReply } } },
    async (request, reply) => {
      return reply.status(201).send(await domain.team.invite(acting(request), request.body));
    },
  );

  fastify.delete(
    '/api/team/invitations/:id',
    { schema: { params: IdParams, response: { 200: Ok } } },
    async (request) => {
      await domain.team.revokeInvitation(acting(request), request.params.id);
      return ok;
    },
  );

  fastify.post(
    '/api/team/join-requests/:id/:decision',
    { schema: { params: JoinRequestDecisionParams, response: { 200: Ok } } },
    async (request) => {
      const { id, decision } = request.params;
      await domain.team.decideJoinRequest(acting(request), id, decision === 'approve' ? 'approved' : 'declined');
      return ok;
    },
  );

  fastify.patch(
    '/api/team/members/:id',
    { schema: { params: IdParams, body: ChangeRoleBody, response: { 200: Ok } } },
    async (request) => {
      await domain.team.changeRole(acting(request), request.params.id, request.body.role);
      return ok;
    },
  );

  fastify.delete('/api/team/members/:id', { schema: { params: IdParams, response: { 200: Ok } } }, async (request) => {
    await domain.team.removeMember(acting(request), request.params.id);
    return ok;
  });

  fastify.post('/api/team/join/:id', { schema: { params: IdParams, response: { 200: Ok } } }, async (request) => {
    await domain.team.requestToJoin(requireSession(request).account, request.params.id);
    return ok;
  });
}
