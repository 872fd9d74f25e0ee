import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App, AppServices } from '../../../app.ts';
import { requireSession } from '../../../plugins/session-auth.ts';
import { createNoWorkspaceError } from '../../../services/accounts/accounts.errors.ts';

const ChoiceBody = Type.Union([
  Type.Object({ personId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  Type.Object({ createNew: Type.Literal(true) }, { additionalProperties: false }),
]);

/** The unmatched queue in the dashboard: chats whose person a member chooses once. */
export async function unmatchedRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { domain } = services;

  const memberOf = (request: FastifyRequest) => {
    const session = requireSession(request);
    if (session.member === undefined) throw createNoWorkspaceError();
    return session.member;
  };

  fastify.get('/api/dashboard/unmatched', async (request) => {
    const member = memberOf(request);
    return { entries: await domain.chatChoices.listUnmatched(member.workspaceId) };
  });

  fastify.post(
    '/api/dashboard/unmatched/:id/choose',
    { schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), body: ChoiceBody } },
    async (request) => {
      const member = memberOf(request);
      return domain.chatChoices.chooseUnmatched({
        workspaceId: member.workspaceId,
        memberId: member.id,
        entryId: request.params.id,
        choice: request.body,
      });
    },
  );
}
