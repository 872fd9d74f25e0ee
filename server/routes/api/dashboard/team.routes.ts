import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppServices } from '../../../app.ts';
import { edgeRateLimit } from '../../../plugins/rate-limit.plugin.ts';
import { createSessionHook, requireSession } from '../../../plugins/session-auth.ts';
import { createNoWorkspaceError } from '../../../services/accounts/accounts.errors.ts';
import type { Acting } from '../../../services/accounts/team.service.ts';

const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** `/team`: members and roles, invitations (copyable links), join requests. */
export async function teamRoutes(fastify: FastifyInstance, { services }: { services: AppServices }): Promise<void> {
  const { config, domain } = services;
  fastify.addHook('onRequest', createSessionHook({ sessions: domain.sessions, config }, { required: true }));

  const acting = (request: FastifyRequest): Acting => {
    const session = requireSession(request);
    if (session.member === undefined) throw createNoWorkspaceError();
    return { member: session.member };
  };
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  fastify.get('/api/team', async (request) => domain.team.overview(acting(request).member.workspaceId));

  fastify.post(
    '/api/team/invitations',
    {
      config: edgeRateLimit('invitationCreate'),
      schema: { body: Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }), role: Role }) },
    },
    async (request, reply) => {
      const { token, expiresAt } = await domain.team.invite(
        acting(request),
        request.body as { email: string; role: 'owner' | 'admin' | 'member' },
      );
      return reply.status(201).send({ link: `${config.publicUrl}/invite/${token}`, expiresAt });
    },
  );

  fastify.delete('/api/team/invitations/:id', { schema: { params: IdParams } }, async (request) => {
    await domain.team.revokeInvitation(acting(request), idOf(request));
    return { ok: true };
  });

  fastify.post(
    '/api/team/join-requests/:id/:decision',
    {
      schema: {
        params: Type.Object({
          id: Type.String({ format: 'uuid' }),
          decision: Type.Union([Type.Literal('approve'), Type.Literal('decline')]),
        }),
      },
    },
    async (request) => {
      const { decision } = request.params as { decision: 'approve' | 'decline' };
      await domain.team.decideJoinRequest(
        acting(request),
        idOf(request),
        decision === 'approve' ? 'approved' : 'declined',
      );
      return { ok: true };
    },
  );

  fastify.patch(
    '/api/team/members/:id',
    { schema: { params: IdParams, body: Type.Object({ role: Role }) } },
    async (request) => {
      await domain.team.changeRole(
        acting(request),
        idOf(request),
        (request.body as { role: 'owner' | 'admin' | 'member' }).role,
      );
      return { ok: true };
    },
  );

  fastify.delete('/api/team/members/:id', { schema: { params: IdParams } }, async (request) => {
    await domain.team.removeMember(acting(request), idOf(request));
    return { ok: true };
  });

  fastify.post('/api/team/join/:id', { schema: { params: IdParams } }, async (request) => {
    const session = requireSession(request);
    await domain.team.requestToJoin(session.account, idOf(request));
    return { ok: true };
  });
}
