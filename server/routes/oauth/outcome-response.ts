import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppServices } from '../../app.ts';
import { setSessionCookie } from '../../plugins/session-auth.ts';
import type { AuthorizationOutcome } from '../../services/connections/install.service.ts';
import { renderResultPage, type ResultPage } from './result-page.ts';

/** The cookie binding a parked install to the browser that started it (see pending-install.routes.ts). */
export const PENDING_INSTALL_COOKIE = 'parley_pending_install';
export const PENDING_INSTALL_COOKIE_PATH = '/oauth/resume';

/** Turns what an OAuth flow decided into the browser's next step: a redirect, a page, a session. */
export function createOutcomeResponder({ config, domain }: Pick<AppServices, 'config' | 'domain'>) {
  return async function finish(request: FastifyRequest, reply: FastifyReply, outcome: AuthorizationOutcome) {
    const signIn = async (accountId: string, workspaceId?: string) => {
      const { token } = await domain.sessions.create(accountId, workspaceId ?? null);
      setSessionCookie(reply, config, token);
    };
    switch (outcome.kind) {
      case 'installed':
        if (request.session?.account.id !== outcome.accountId) await signIn(outcome.accountId, outcome.workspaceId);
        else await domain.sessions.switchWorkspace(request.session.tokenHash, outcome.workspaceId);
        return reply.redirect(`/onboarding${outcome.createdWorkspace ? '?new=1' : ''}`);
      case 'org_connected':
        return reply.redirect('/integrations/pipedrive?connected=organization');
      case 'personal_connected':
        if (outcome.signInAccountId !== undefined && request.session === null) await signIn(outcome.signInAccountId);
        if (outcome.popup)
          return sendPage(reply, 200, {
            title: 'You are connected',
            message: 'Live chat and sending now work for you in Pipedrive. This window closes by itself.',
            tone: 'success',
            popupResult: { outcome: 'personal_connected' },
          });
        return reply.redirect('/integrations/pipedrive?connected=personal');
      case 'join_requested':
        return sendPage(reply, 200, {
          title: 'An admin must approve you',
          message: `${outcome.email} is not a member of ${outcome.companyName}'s Parley workspace yet. We asked its admins to approve you; once they do, your connection starts working without another step.`,
          tone: 'info',
          ...(outcome.popup
            ? { popupResult: { outcome: 'join_requested' } }
            : { actions: [{ label: 'Go to Parley', href: '/login' }] }),
        });
      case 'sign_in_required':
        // Binds the parked install to this browser: only a request carrying this cookie resumes it.
        void reply.setCookie(PENDING_INSTALL_COOKIE, outcome.browserNonce, {
          httpOnly: true,
          sameSite: 'lax',
          secure: config.publicUrl.startsWith('https:'),
          path: PENDING_INSTALL_COOKIE_PATH,
          maxAge: 30 * 60,
        });
        return reply.redirect(`/login?resume=${outcome.pendingInstallId}&email=${encodeURIComponent(outcome.email)}`);
      case 'refused':
        return sendPage(reply, outcome.error.statusCode, {
          title: 'Parley could not connect',
          message: outcome.error.message,
          tone: 'error',
          ...(outcome.popup
            ? { popupResult: { outcome: outcome.error.code } }
            : { actions: [{ label: 'Back to Parley', href: '/integrations/pipedrive' }] }),
        });
    }
  };
}

export function sendPage(reply: FastifyReply, status: number, page: ResultPage) {
  const nonce = randomBytes(16).toString('base64');
  void reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header(
      'content-security-policy',
      `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
    );
  return reply.send(renderResultPage(page, nonce));
}
