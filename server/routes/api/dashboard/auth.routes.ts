import {
  LoginBody,
  LoginReply,
  Ok,
  SessionInfo,
  SetPasswordBody,
  SignUpBody,
  SignUpReply,
  SwitchWorkspaceBody,
  SwitchWorkspaceReply,
} from '../../../../contracts/dashboard.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { edgeRateLimit } from '../../../plugins/rate-limit.plugin.ts';
import { clearSessionCookie, requireSession, SESSION_COOKIE, setSessionCookie } from '../../../plugins/session-auth.ts';

/** Sign-up, sign-in, sign-out and "who am I" for the dashboard (cookie sessions). */
export async function authRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { config, domain } = services;

  fastify.get('/api/session', { schema: { response: { 200: SessionInfo } } }, async (request) =>
    domain.accounts.describeSession(requireSession(request)),
  );

  fastify.post(
    '/api/auth/signup',
    {
      config: { public: true, ...edgeRateLimit('signUp') },
      schema: { body: SignUpBody, response: { 202: SignUpReply } },
    },
    async (request, reply) => {
      // No account and no session yet: the mailed link confirms the address first. The answer is the
      // same whether or not the email already has an account.
      await domain.accounts.signUp(request.body);
      return reply.status(202).send({ status: 'check_email' as const });
    },
  );

  fastify.post(
    '/api/auth/login',
    {
      config: { public: true, ...edgeRateLimit('signIn') },
      schema: { body: LoginBody, response: { 200: LoginReply } },
    },
    async (request, reply) => {
      const account = await domain.accounts.signIn({ ...request.body, clientAddress: request.ip });
      await domain.sessions.destroy(request.cookies[SESSION_COOKIE]);
      const { token } = await domain.sessions.create(account.id, null);
      setSessionCookie(reply, config, token);
      return { accountId: account.id };
    },
  );

  fastify.post(
    '/api/auth/logout',
    { config: { public: true }, schema: { response: { 200: Ok } } },
    async (request, reply) => {
      await domain.sessions.destroy(request.cookies[SESSION_COOKIE]);
      clearSessionCookie(reply, config);
      return { ok: true as const };
    },
  );

  fastify.post('/api/auth/password', { schema: { body: SetPasswordBody, response: { 200: Ok } } }, async (request) => {
    const session = requireSession(request);
    const { currentPassword, password } = request.body;
    await domain.accounts.changePassword(session.account, {
      currentPassword,
      password,
      keepSessionHash: session.tokenHash,
    });
    return { ok: true as const };
  });

  fastify.post(
    '/api/session/workspace',
    { schema: { body: SwitchWorkspaceBody, response: { 200: SwitchWorkspaceReply } } },
    async (request) => {
      const session = requireSession(request);
      const { workspaceId } = request.body;
      if (!(await domain.accounts.isMember(workspaceId, session.account.id))) return { ok: false };
      await domain.sessions.switchWorkspace(session.tokenHash, workspaceId);
      return { ok: true };
    },
  );
}
