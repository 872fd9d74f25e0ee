import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppServices } from '../../../app.ts';
import { edgeRateLimit } from '../../../plugins/rate-limit.plugin.ts';
import { createSessionHook, requireSession } from '../../../plugins/session-auth.ts';

const TokenParams = Type.Object({ token: Type.String({ minLength: 16, maxLength: 100 }) });

/** The invitation link's page data (public) and its acceptance (signed in as the invited email). */
export async function invitationRoutes(
  fastify: FastifyInstance,
  { services }: { services: AppServices },
): Promise<void> {
  const { config, domain } = services;
  fastify.addHook('onRequest', createSessionHook({ sessions: domain.sessions, config }, { required: false }));

  const linkRoute = { config: edgeRateLimit('invitationLink'), schema: { params: TokenParams } };
  fastify.get('/api/invitations/:token', linkRoute, async (request) =>
    domain.team.describeInvitation((request.params as { token: string }).token),
  );

  fastify.post('/api/invitations/:token/accept', linkRoute, async (request) => {
    const session = requireSession(request);
    const member = await domain.team.acceptInvitation((request.params as { token: string }).token, session.account);
    await domain.sessions.switchWorkspace(session.tokenHash, member.workspaceId);
    return { workspaceId: member.workspaceId, role: member.role };
  });
}
