import formBody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ResumeDecisionBody, ResumeParams } from '../../../contracts/oauth.schemas.ts';
import type { App, AppServices } from '../../app.ts';
import { isAppError } from '../../errors.ts';
import { createCsrfError } from '../../services/accounts/accounts.errors.ts';
import {
  createOutcomeResponder,
  PENDING_INSTALL_COOKIE,
  PENDING_INSTALL_COOKIE_PATH,
  sendPage,
} from './outcome-response.ts';

/**
 * A Marketplace install parked until its admin signs in (an existing Parley account had the
 * Pipedrive user's email). It resumes only when all hold: the browser that started it (the
 * `parley_pending_install` cookie set when it was parked), the signed-in account's verified email is
 * the Pipedrive user's, and that person confirmed on a page naming the company and user — a POST
 * carrying the session's CSRF token. Opening the link (a GET) only shows that page.
 */
export async function pendingInstallRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { config, domain } = services;
  const origin = new URL(config.publicUrl).origin;
  const finish = createOutcomeResponder(services);
  // The confirmation is a plain HTML form, so it works without scripts; its CSRF token is a field.
  await fastify.register(formBody, { bodyLimit: 4096 });

  const nonceOf = (request: FastifyRequest) => request.cookies[PENDING_INSTALL_COOKIE];
  const forgetNonce = (reply: FastifyReply) =>
    void reply.clearCookie(PENDING_INSTALL_COOKIE, { path: PENDING_INSTALL_COOKIE_PATH });
  const refusal = (reply: FastifyReply, failure: unknown) => {
    if (!isAppError(failure) || failure.statusCode >= 500) throw failure;
    return sendPage(reply, failure.statusCode, {
      title: 'Parley could not finish the installation',
      message: failure.message,
      tone: 'error',
      actions: [{ label: 'Back to Parley', href: '/integrations/pipedrive' }],
    });
  };

  fastify.get('/oauth/resume/:id', { schema: { params: ResumeParams } }, async (request, reply) => {
    const { id } = request.params;
    if (request.session === null) return reply.redirect(`/login?resume=${encodeURIComponent(id)}`);
    try {
      const pending = await domain.install.describePendingInstall(id, request.session, nonceOf(request));
      // The form's POST must carry this page's Origin; under helmet's no-referrer a browser sends "null".
      void reply.header('referrer-policy', 'same-origin');
      return sendPage(reply, 200, {
        title: 'Connect this Pipedrive company?',
        message:
          'You installed Parley from the Pipedrive Marketplace. Confirm to connect this Pipedrive company to your Parley account; its data will flow into the workspace.',
        tone: 'info',
        facts: [
          ['Pipedrive company', `${pending.companyName} (${pending.companyDomain}.pipedrive.com)`],
          ['Pipedrive user', `${pending.userName} (${pending.email})`],
          ['Parley account', request.session.account.email],
        ],
        confirm: {
          action: `/oauth/resume/${id}`,
          csrfToken: request.session.csrfToken,
          confirmLabel: 'Connect',
          cancelLabel: 'Cancel',
        },
      });
    } catch (failure) {
      return refusal(reply, failure);
    }
  });

  fastify.post(
    '/oauth/resume/:id',
    {
      schema: {
        params: ResumeParams,
        body: ResumeDecisionBody,
      },
    },
    async (request, reply) => {
      const { csrf, decision } = request.body;
      if (request.headers.origin !== origin) throw createCsrfError({ details: { reason: 'origin' } });
      if (request.session === null) return reply.redirect(`/login?resume=${encodeURIComponent(request.params.id)}`);
      if (!domain.sessions.isValidCsrf(request.session, csrf)) throw createCsrfError();
      try {
        if (decision === 'cancel') {
          await domain.install.cancelPendingInstall(request.params.id, request.session, nonceOf(request));
          forgetNonce(reply);
          return sendPage(reply, 200, {
            title: 'Installation cancelled',
            message: 'Nothing was connected, and Parley gave up the access Pipedrive granted.',
            tone: 'info',
            actions: [{ label: 'Back to Parley', href: '/integrations/pipedrive' }],
          });
        }
        const outcome = await domain.install.resumeInstall(request.params.id, request.session, nonceOf(request));
        forgetNonce(reply);
        return await finish(request, reply, outcome);
      } catch (failure) {
        return refusal(reply, failure);
      }
    },
  );
}
