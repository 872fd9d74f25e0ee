import { Ok } from '../../../../contracts/common.schemas.ts';
import {
  ChangeEmailBody,
  CheckEmailReply,
  PasswordResetBody,
  PasswordResetConfirmBody,
  VerifyEmailBody,
  VerifyEmailReply,
} from '../../../../contracts/account.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { edgeRateLimit } from '../../../plugins/rate-limit.plugin.ts';
import { requireSession } from '../../../plugins/session-auth.ts';

/**
 * What mailed links lead to (confirm an address, reset a password) and the account settings that
 * send them (change email, verify an older account's email). Requests for a stranger's email answer
 * exactly as for one with an account.
 */
export async function accountRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { domain } = services;

  fastify.post(
    '/api/auth/verify-email',
    { config: { public: true }, schema: { body: VerifyEmailBody, response: { 200: VerifyEmailReply } } },
    async (request) => {
      const confirmed = await domain.accounts.confirmEmail(request.body.token);
      return { kind: confirmed.kind };
    },
  );

  fastify.post(
    '/api/auth/password-reset',
    {
      config: { public: true, ...edgeRateLimit('passwordReset') },
      schema: { body: PasswordResetBody, response: { 202: CheckEmailReply } },
    },
    async (request, reply) => {
      await domain.accounts.requestPasswordReset(request.body.email);
      return reply.status(202).send({ status: 'check_email' as const });
    },
  );

  fastify.post(
    '/api/auth/password-reset/confirm',
    { config: { public: true }, schema: { body: PasswordResetConfirmBody, response: { 200: Ok } } },
    async (request) => {
      const { token, password } = request.body;
      await domain.accounts.resetPassword(token, password);
      return { ok: true as const };
    },
  );

  fastify.post(
    '/api/account/email',
    { schema: { body: ChangeEmailBody, response: { 202: CheckEmailReply } } },
    async (request, reply) => {
      const session = requireSession(request);
      const { newEmail, currentPassword } = request.body;
      await domain.accounts.requestEmailChange(session.account, { newEmail, currentPassword });
      return reply.status(202).send({ status: 'check_email' as const });
    },
  );

  fastify.post(
    '/api/account/verify-email',
    { schema: { response: { 202: CheckEmailReply } } },
    async (request, reply) => {
      const session = requireSession(request);
      await domain.accounts.sendVerification(session.account);
      return reply.status(202).send({ status: 'check_email' as const });
    },
  );
}
