import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RegisteredApp } from '../records.ts';
import { describeScope } from './app-status.ts';
import { html } from '../../../server/html.ts';
import { renderMessagePage, renderPage } from './layout.ts';
import { isValidCsrf, requireViewer, type UiContext, type Viewer } from './session.ts';

/** Authorization codes are single use and expire after 5 minutes (pipedrive-platform.md §1.3). */
const CODE_LIFETIME_MS = 5 * 60 * 1000;

interface AuthorizeParams {
  client_id?: string;
  redirect_uri?: string;
  state?: string;
}

type Validation = { app: RegisteredApp } | { problem: string };

/**
 * client_id must name a registered app and redirect_uri must equal its Callback URL exactly;
 * otherwise Pipedrive shows an error and never redirects (an open redirect would leak codes).
 */
function validate(ctx: UiContext, params: AuthorizeParams): Validation {
  if (!params.client_id) return { problem: 'The request is missing client_id.' };
  const app = ctx.state.apps.get(params.client_id);
  if (app === undefined) return { problem: 'No app with this client_id is registered.' };
  if (!params.redirect_uri) return { problem: 'The request is missing redirect_uri.' };
  if (params.redirect_uri !== app.callbackUrl)
    return { problem: `redirect_uri does not match the Callback URL registered for ${app.name}.` };
  return { app };
}

function sendInvalid(ctx: UiContext, reply: FastifyReply, problem: string, viewer: Viewer | null) {
  return reply
    .code(400)
    .type('text/html')
    .send(renderMessagePage(ctx, { title: 'This app cannot be installed', message: problem, viewer, tone: 'error' }));
}

/** The callback URL with `extra` and, when the app sent one, `state`. */
function callbackWith(app: RegisteredApp, extra: Record<string, string>, state: string | undefined): string {
  const url = new URL(app.callbackUrl);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  if (state !== undefined && state !== '') url.searchParams.set('state', state);
  return url.toString();
}

/** `GET /oauth/authorize` (consent) and its form post: Allow → code, Cancel → error=user_denied. */
export async function consentRoutes(fastify: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  fastify.get<{ Querystring: AuthorizeParams }>('/oauth/authorize', async (request, reply) => {
    const checked = validate(ctx, request.query);
    if ('problem' in checked) return sendInvalid(ctx, reply, checked.problem, null);
    const viewer = requireViewer(ctx, request, reply);
    if (viewer === null) return reply;
    return reply.type('text/html').send(renderConsent(ctx, viewer, checked.app, request.query.state));
  });

  fastify.post<{ Body: AuthorizeParams & { decision?: string; _csrf?: string } }>(
    '/oauth/authorize',
    async (request, reply) => {
      const body = request.body ?? {};
      const checked = validate(ctx, body);
      if ('problem' in checked) return sendInvalid(ctx, reply, checked.problem, null);
      const viewer = requireViewer(ctx, request, reply);
      if (viewer === null) return reply;
      if (!isValidCsrf(viewer, body._csrf))
        return sendInvalid(ctx, reply, 'The form expired. Start the installation again.', viewer);
      const { app } = checked;
      if (body.decision !== 'allow')
        return reply.redirect(callbackWith(app, { error: 'user_denied' }, body.state), 302);

      const code = randomBytes(24).toString('base64url');
      ctx.state.authorizationCodes.set(code, {
        code,
        clientId: app.clientId,
        companyId: viewer.user.companyId,
        userId: viewer.user.id,
        redirectUri: app.callbackUrl,
        expiresAt: new Date(ctx.state.clock.now().getTime() + CODE_LIFETIME_MS),
        exchanged: false,
      });
      return reply.redirect(callbackWith(app, { code }, body.state), 302);
    },
  );
}

/** Whether someone in the viewer's company holds a live grant of the app: then a consent only authorizes this user. */
function installedInCompany(ctx: UiContext, app: RegisteredApp, viewer: Viewer): boolean {
  for (const grant of ctx.state.grants.values())
    if (grant.clientId === app.clientId && grant.companyId === viewer.user.companyId && grant.revokedAt === null)
      return true;
  return false;
}

/**
 * The consent screen. The first consent in a company installs the app ("Allow and install"); once
 * it is installed, every other user's consent authorizes the app for their own account only, so the
 * page says "authorize", as Pipedrive's per-user "Authorize app" status does (pipedrive-platform.md §1.6).
 */
function renderConsent(ctx: UiContext, viewer: Viewer, app: RegisteredApp, state: string | undefined): string {
  const hidden = (name: string, value: string | undefined) =>
    value === undefined ? '' : html`<input type="hidden" name="${name}" value="${value}" />`;
  const install = !installedInCompany(ctx, app, viewer);
  return renderPage(ctx, {
    title: `${install ? 'Install' : 'Authorize'} ${app.name}`,
    viewer: null,
    body: html`<section class="consent card" aria-labelledby="consent-title">
      <h1 id="consent-title">${app.name} wants to access your Pipedrive account</h1>
      <p class="muted">${app.description}</p>
      <p>
        ${install ? 'Installing' : 'Authorizing'} for <strong>${viewer.user.name}</strong> in
        <strong>${viewer.company.name}</strong> (${viewer.company.domain}.pipedrive.com).
        ${
          install
            ? 'Only you authorize it; other users authorize for themselves.'
            : html`${app.name} is already installed in ${viewer.company.name}; this connects your own account only.`
        }
      </p>
      <h2>${app.name} will be able to</h2>
      <ul class="scopes">
        ${app.scopes.map((scope) => html`<li>${describeScope(scope)} <code class="muted">${scope}</code></li>`)}
      </ul>
      <form method="post" action="/oauth/authorize" class="row">
        ${hidden('client_id', app.clientId)} ${hidden('redirect_uri', app.callbackUrl)} ${hidden('state', state)}
        ${hidden('_csrf', viewer.session.csrfToken)}
        <button type="submit" name="decision" value="allow" class="primary">
          ${install ? 'Allow and install' : 'Allow and authorize'}
        </button>
        <button type="submit" name="decision" value="deny">Cancel</button>
      </form>
    </section>`,
  });
}
