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
        emailVerified: session.account.emailVerified,
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
      // No account and no session yet: the mailed link confirms the address first. The answer is the
      // same whether or not the email already has an account.
      await domain.accounts.signUp(
        request.body as { email: string; password: string; name: string; workspaceName: string },
      );
      return reply.status(202).send({ status: 'check_email' });
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

  fastify.post(
    '/api/auth/password',
    { schema: { body: Type.Object({ currentPassword: Type.Optional(Password), password: Password }) } },
    async (request) => {
      const session = requireSession(request);
      const { currentPassword, password } = request.body as { currentPassword?: string; password: string };
      await domain.accounts.changePassword(session.account, {
        currentPassword,
        password,
        keepSessionHash: session.tokenHash,
      });
      return { ok: true };
    },
  );

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
