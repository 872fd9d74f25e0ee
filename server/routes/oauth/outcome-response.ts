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
      case 'personal_connected': {
        if (outcome.signInAccountId !== undefined && request.session === null) await signIn(outcome.signInAccountId);
        const joined =
          outcome.joinedWorkspace === undefined
            ? ''
            : `You accepted your invitation and joined ${outcome.joinedWorkspace}'s Parley workspace. `;
        if (outcome.popup)
          return sendPage(reply, 200, {
            title: outcome.joinedWorkspace === undefined ? 'You are connected' : 'You joined and are connected',
            message: `${joined}Live chat and sending now work for you in Pipedrive. Close this window to go back to the record you came from.`,
            tone: 'success',
            popupResult: { outcome: 'personal_connected' },
          });
        if (outcome.joinedWorkspace !== undefined && outcome.signInAccountId === undefined)
          // Joined with an account this browser is not signed in to: say so instead of a sign-in wall.
          return sendPage(reply, 200, {
            title: 'You joined and are connected',
            message: `${joined}Live chat and sending now work for you in Pipedrive.`,
            tone: 'success',
            actions: [
              { label: 'Back to Pipedrive', href: outcome.pipedriveUrl },
              { label: 'Open Parley', href: '/login' },
            ],
          });
        return reply.redirect('/integrations/pipedrive?connected=personal');
      }
      case 'join_requested':
        return sendPage(reply, 200, {
          title: 'Waiting for an admin to approve you',
          message: `${outcome.email} is not a member of ${outcome.companyName}'s Parley workspace yet, so we asked its admins to let you in (asked ${formatUtc(outcome.since)}). Once one approves, your connection starts working by itself: no need to connect again. The Parley panel in Pipedrive shows when it does.`,
          tone: 'info',
          ...(outcome.popup
            ? { popupResult: { outcome: 'join_requested' } }
            : { actions: [{ label: 'Back to Pipedrive', href: outcome.pipedriveUrl }] }),
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
            : {
                actions: [
                  ...(outcome.pipedriveUrl === undefined
                    ? []
                    : [{ label: 'Back to Pipedrive', href: outcome.pipedriveUrl }]),
                  { label: 'Open Parley', href: '/integrations/pipedrive' },
                ],
              }),
        });
    }
  };
}

/** A moment on a server-rendered page, unambiguous for any reader (the page cannot know their timezone). */
function formatUtc(at: Date): string {
  return `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(at)} UTC`;
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
