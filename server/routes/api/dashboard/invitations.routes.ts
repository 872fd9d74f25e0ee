import {
  AcceptInvitationReply,
  InvitationInfo,
  InvitationTokenParams,
} from '../../../../contracts/dashboard.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { edgeRateLimit } from '../../../plugins/rate-limit.plugin.ts';
import { requireSession } from '../../../plugins/session-auth.ts';

/** The invitation link's page data (public) and its acceptance (signed in as the invited email). */
export async function invitationRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { domain } = services;

  fastify.get(
    '/api/invitations/:token',
    {
      config: { public: true, ...edgeRateLimit('invitationLink') },
      schema: { params: InvitationTokenParams, response: { 200: InvitationInfo } },
    },
    async (request) => domain.team.describeInvitation(request.params.token),
  );

  fastify.post(
    '/api/invitations/:token/accept',
    {
      config: edgeRateLimit('invitationLink'),
      schema: { params: InvitationTokenParams, response: { 200: AcceptInvitationReply } },
    },
    async (request) => {
      const session = requireSession(request);
      const member = await domain.team.acceptInvitation(request.params.token, session.account);
      await domain.sessions.switchWorkspace(session.tokenHash, member.workspaceId);
      return { workspaceId: member.workspaceId, role: member.role };
    },
  );
}
