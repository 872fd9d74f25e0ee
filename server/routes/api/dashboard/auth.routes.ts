import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppServices } from '../../../app.ts';
import {
  clearSessionCookie,
  createSessionHook,
  requireSession,
  SESSION_COOKIE,
  setSessionCookie,
} from '../../../plugins/session-auth.ts';
import { createAccountsRepository } from '../../../db/repositories/accounts.repository.ts';
import { edgeRateLimit } from '../../../plugins/rate-limit.plugin.ts';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 200 });

/** Sign-up, sign-in, sign-out and "who am I" for the dashboard (cookie sessions). */
export async function authRoutes(fastify: FastifyInstance, { services }: { services: AppServices }): Promise<void> {
  const { config, domain, database } = services;
  fastify.addHook('onRequest', createSessionHook({ sessions: domain.sessions, config }, { required: false }));

  fastify.get('/api/session', async (request) => {
    const session = requireSession(request);
    const memberships = await createAccountsRepository(database.db).listMemberships(session.account.id);
    return {
      account: {
        id: session.account.id,
        email: session.account.email,
        name: session.account.name,
        hasPassword: session.account.passwordHash !== null,
      },
      workspace:
        session.member === undefined
          ? null
          : { id: session.member.workspaceId, role: session.member.role, memberId: session.member.id },
      memberships,
      csrfToken: session.csrfToken,
    };
  });

  fastify.post(
    '/api/auth/signup',
    {
      config: edgeRateLimit('signUp'),
      schema: {
        body: Type.Object({
          email: Email,
          password: Password,
          name: Type.String({ minLength: 1, maxLength: 120 }),
          workspaceName: Type.String({ minLength: 1, maxLength: 120 }),
        }),
      },
    },
    async (request, reply) => {
      const { account, workspace } = await domain.accounts.signUp(
        request.body as { email: string; password: string; name: string; workspaceName: string },
      );
      const { token } = await domain.sessions.create(account.id, workspace.id);
      setSessionCookie(reply, config, token);
      return reply.status(201).send({ accountId: account.id, workspaceId: workspace.id });
    },
  );

  fastify.post(
    '/api/auth/login',
    { config: edgeRateLimit('signIn'), schema: { body: Type.Object({ email: Email, password: Password }) } },
    async (request, reply) => {
      const { email, password } = request.body as { email: string; password: string };
      const account = await domain.accounts.signIn({ email, password, clientAddress: request.ip });
      await domain.sessions.destroy(request.cookies[SESSION_COOKIE]);
      const { token } = await domain.sessions.create(account.id, null);
      setSessionCookie(reply, config, token);
      return { accountId: account.id };
    },
  );

  fastify.post('/api/auth/logout', async (request, reply) => {
    await domain.sessions.destroy(request.cookies[SESSION_COOKIE]);
    clearSessionCookie(reply, config);
    return { ok: true };
  });

  fastify.post('/api/auth/password', { schema: { body: Type.Object({ password: Password }) } }, async (request) => {
    const session = requireSession(request);
    await domain.accounts.setPassword(session.account.id, (request.body as { password: string }).password);
    return { ok: true };
  });

  fastify.post(
    '/api/session/workspace',
    { schema: { body: Type.Object({ workspaceId: Type.String({ format: 'uuid' }) }) } },
    async (request) => {
      const session = requireSession(request);
      const { workspaceId } = request.body as { workspaceId: string };
      const member = await createAccountsRepository(database.db).findMember(workspaceId, session.account.id);
      if (member === undefined) return { ok: false };
      await domain.sessions.switchWorkspace(session.tokenHash, workspaceId);
      return { ok: true };
    },
  );
}
