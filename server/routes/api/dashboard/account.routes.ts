import { Type } from 'typebox';
import type { App, AppServices } from '../../../app.ts';
import { edgeRateLimit } from '../../../plugins/rate-limit.plugin.ts';
import { requireSession } from '../../../plugins/session-auth.ts';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 200 });
/** Tokens of mailed links travel in request bodies only (links carry them in the URL fragment). */
const LinkToken = Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' });

/**
 * What mailed links lead to (confirm an address, reset a password) and the account settings that
 * send them (change email, verify an older account's email). Requests for a stranger's email answer
 * exactly as for one with an account.
 */
export async function accountRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { domain } = services;

  fastify.post(
    '/api/auth/verify-email',
    { config: { public: true }, schema: { body: Type.Object({ token: LinkToken }) } },
    async (request) => {
      const confirmed = await domain.accounts.confirmEmail(request.body.token);
      return { kind: confirmed.kind };
    },
  );

  fastify.post(
    '/api/auth/password-reset',
    { config: { public: true, ...edgeRateLimit('passwordReset') }, schema: { body: Type.Object({ email: Email }) } },
    async (request, reply) => {
      await domain.accounts.requestPasswordReset(request.body.email);
      return reply.status(202).send({ status: 'check_email' });
    },
  );

  fastify.post(
    '/api/auth/password-reset/confirm',
    { config: { public: true }, schema: { body: Type.Object({ token: LinkToken, password: Password }) } },
    async (request) => {
      const { token, password } = request.body;
      await domain.accounts.resetPassword(token, password);
      return { ok: true };
    },
  );

  fastify.post(
    '/api/account/email',
    { schema: { body: Type.Object({ newEmail: Email, currentPassword: Type.Optional(Password) }) } },
    async (request, reply) => {
      const session = requireSession(request);
      const { newEmail, currentPassword } = request.body;
      await domain.accounts.requestEmailChange(session.account, { newEmail, currentPassword });
      return reply.status(202).send({ status: 'check_email' });
    },
  );

  fastify.post('/api/account/verify-email', async (request, reply) => {
    const session = requireSession(request);
    await domain.accounts.sendVerification(session.account);
    return reply.status(202).send({ status: 'check_email' });
  });
}
