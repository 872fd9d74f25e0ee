import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppServices } from '../../../app.ts';
import { createSessionHook, requireSession } from '../../../plugins/session-auth.ts';
import { createNoWorkspaceError } from '../../../services/accounts/accounts.errors.ts';
import type { UnmatchedChoice } from '../../../services/sync/chat-choices.service.ts';

const ChoiceBody = Type.Union([
  Type.Object({ personId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  Type.Object({ createNew: Type.Literal(true) }, { additionalProperties: false }),
]);

/** The unmatched queue in the dashboard: chats whose person a member chooses once. */
export async function unmatchedRoutes(
  fastify: FastifyInstance,
  { services }: { services: AppServices },
): Promise<void> {
  const { config, domain } = services;
  fastify.addHook('onRequest', createSessionHook({ sessions: domain.sessions, config }, { required: true }));

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
        entryId: (request.params as { id: string }).id,
        choice: request.body as UnmatchedChoice,
      });
    },
  );
}
