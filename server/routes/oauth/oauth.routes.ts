import {
  CallbackQuery,
  InstallQuery,
  Ok,
  SharingChangedBody,
  UninstallBody,
  UninstallReply,
} from '../../../contracts/oauth.schemas.ts';
import type { App, AppServices } from '../../app.ts';
import { isAppError } from '../../errors.ts';
import { createCallbackUnauthorizedError } from '../../plugins/pipedrive-callback-auth.ts';
import { edgeRateLimit } from '../../plugins/rate-limit.plugin.ts';
import { nonceCookieName, type OAuthPurpose } from '../../services/connections/oauth-state.ts';
import { verifyConnectTicket } from '../../services/connections/connect-ticket.ts';
import { actors } from '../../services/audit/actor.ts';
import { createOutcomeResponder, sendPage } from './outcome-response.ts';

// A Map, not an object literal: `purpose=__proto__`, `constructor` or `toString` must find nothing.
const PURPOSES: ReadonlyMap<string, OAuthPurpose> = new Map([
  ['organization', 'org_connect'],
  ['personal', 'personal_connect'],
  ['sign_in', 'sign_in'],
]);

/**
 * Pipedrive OAuth in the browser: `/oauth/install` starts every flow (it is also the Marketplace
 * Installation URL), the callback URL takes the code (GET). The same URL also receives Pipedrive's
 * own callbacks (`pipedriveCallbackRoutes`).
 */
export async function oauthRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { config, domain } = services;
  const secure = config.publicUrl.startsWith('https:');
  const finish = createOutcomeResponder(services);
  // "Connect only for me" runs these pages in a popup opened by a panel that Pipedrive frames on
  // its own origin. Helmet's default Cross-Origin-Opener-Policy (same-origin) would cut the popup
  // off from its opener: it could neither report the outcome nor close itself.
  fastify.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('cross-origin-opener-policy', 'unsafe-none');
    return payload;
  });

  fastify.get(
    '/oauth/install',
    { config: edgeRateLimit('oauthInstall'), schema: { querystring: InstallQuery } },
    async (request, reply) => {
      const { purpose: requested, ticket } = request.query;
      const purpose = requested === undefined ? 'marketplace_install' : PURPOSES.get(requested);
      if (purpose === undefined)
        return sendPage(reply, 400, {
          title: 'Unknown connection type',
          message: 'This link is not one Parley makes. Start again from Parley or Pipedrive.',
          tone: 'error',
        });
      if (purpose === 'org_connect' && request.session === null)
        return reply.redirect(`/login?next=${encodeURIComponent('/integrations/pipedrive')}`);
      let panelUser: { companyId: number; userId: number } | undefined;
      if (purpose === 'personal_connect' && ticket !== undefined)
        panelUser = await verifyConnectTicket(config.sessionSecret, ticket);
      else if (purpose === 'personal_connect' && request.session === null)
        return reply.redirect(`/login?next=${encodeURIComponent('/integrations/pipedrive')}`);
      const { state, nonce } = await domain.states.mint({
        purpose,
        ...(panelUser === undefined ? {} : { panelUser, popup: true }),
      });
      void reply.setCookie(nonceCookieName(nonce), nonce, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/oauth',
        maxAge: 600,
      });
      return reply.redirect(domain.oauth.authorizationUrl(state));
    },
  );

  fastify.get(
    '/oauth/callback',
    { config: edgeRateLimit('oauthCallback'), schema: { querystring: CallbackQuery } },
    async (request, reply) => {
      const { code, state, error } = request.query;
      if (error !== undefined) {
        const denied = error === 'user_denied' || error === 'access_denied';
        return sendPage(reply, 200, {
          title: denied ? 'Connection cancelled' : 'Pipedrive did not connect',
          message: denied
            ? 'You chose not to connect Parley. Nothing was changed; you can connect any time.'
            : `Pipedrive reported “${error}”. Nothing was changed; try again.`,
          tone: 'info',
          actions: [{ label: 'Back to Parley', href: '/integrations/pipedrive' }],
        });
      }
      if (code === undefined)
        return sendPage(reply, 400, {
          title: 'Missing authorization code',
          message: 'Pipedrive did not send an authorization code. Start the connection again.',
          tone: 'error',
        });
      try {
        const outcome = await domain.install.completeAuthorization({
          code,
          state,
          cookies: request.cookies,
          session: request.session ?? undefined,
        });
        // One readable line per consent at info; never the outcome itself (it carries parked-install ids).
        request.log.info(
          { outcome: outcome.kind, ...('companyId' in outcome ? { companyId: outcome.companyId } : {}) },
          `Pipedrive consent: ${CONSENT_OUTCOMES[outcome.kind] ?? outcome.kind}`,
        );
        return await finish(request, reply, outcome);
      } catch (failure) {
        if (!isAppError(failure) || (failure.statusCode >= 500 && !failure.expose)) throw failure;
        request.log.warn({ code: failure.code }, 'OAuth callback refused');
        return sendPage(reply, failure.statusCode, {
          title: 'Parley could not connect',
          message: failure.message,
          tone: 'error',
          actions: [{ label: 'Back to Parley', href: '/integrations/pipedrive' }],
        });
      }
    },
  );
}

/** What a consent led to, for the log line (kinds added later print as their name). */
const CONSENT_OUTCOMES: Record<string, string> = {
  installed: 'Parley installed from the Marketplace',
  org_connected: 'organization connected',
  personal_connected: 'personal connection made',
  join_requested: 'asked to join the workspace',
  refused: 'connection refused',
  sign_in_required: 'install waits for its admin to sign in',
};

/**
 * Pipedrive's server-to-server calls to the callback URL: sharing changes (POST) and uninstall
 * (DELETE). Their group's hook checks Basic client_id:client_secret in constant time.
 */
export async function pipedriveCallbackRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { config, domain } = services;

  // Pipedrive tells the callback URL when an admin shares the app with users or makes it private.
  fastify.post('/oauth/callback', { schema: { body: SharingChangedBody, response: { 200: Ok } } }, async (request) => {
    const body = request.body;
    await domain.audit.record({
      companyId: body.company_id,
      actor: actors.pipedriveUser(body.company_id, body.user_id),
      action: 'app.sharing_changed',
      detail: { isShared: body.isShared },
    });
    return { ok: true as const };
  });

  // Uninstall (pipedrive-platform.md §2.1).
  fastify.delete(
    '/oauth/callback',
    { schema: { body: UninstallBody, response: { 200: UninstallReply } } },
    async (request) => {
      const body = request.body;
      // The Basic credentials were checked by the group's hook; the body must name this app too.
      if (body.client_id !== config.pipedrive.clientId) throw createCallbackUnauthorizedError();
      const ended = await domain.lifecycle.handleUninstall(body.company_id, body.user_id);
      request.log.info({ companyId: body.company_id, userId: body.user_id, ended }, 'Pipedrive uninstall callback');
      return { ok: true as const, ended };
    },
  );
}
