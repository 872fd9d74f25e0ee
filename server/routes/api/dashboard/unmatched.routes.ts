import type { FastifyRequest } from 'fastify';
import { IdParams } from '../../../../contracts/dashboard.schemas.ts';
import { UnmatchedChoiceBody, UnmatchedChoiceReply, UnmatchedList } from '../../../../contracts/sync.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { requireSession } from '../../../plugins/session-auth.ts';
import { createNoWorkspaceError } from '../../../services/accounts/accounts.errors.ts';

/** The unmatched queue in the dashboard: chats whose person a member chooses once. */
export async function unmatchedRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { domain } = services;

  const memberOf = (request: FastifyRequest) => {
    const session = requireSession(request);
    if (session.member === undefined) throw createNoWorkspaceError();
    return session.member;
  };

  fastify.get('/api/dashboard/unmatched', { schema: { response: { 200: UnmatchedList } } }, async (request) => {
    const member = memberOf(request);
    return { entries: await domain.chatChoices.listUnmatched(member.workspaceId) };
  });

  fastify.post(
    '/api/dashboard/unmatched/:id/choose',
    { schema: { params: IdParams, body: UnmatchedChoiceBody, response: { 200: UnmatchedChoiceReply } } },
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
