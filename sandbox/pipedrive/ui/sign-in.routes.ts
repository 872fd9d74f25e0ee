import type { FastifyInstance } from 'fastify';
import type { Company, User } from '../records.ts';
import { html } from '../../../server/html.ts';
import { renderMessagePage, renderPage } from './layout.ts';
import {
  clearedSessionCookie,
  currentViewer,
  isValidCsrf,
  safeReturnTo,
  sessionCookie,
  startSession,
  type UiContext,
} from './session.ts';

/** "Sign in as": the sandbox has no passwords; a person picks one of the seeded users. */
export async function signInRoutes(fastify: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  fastify.get<{ Querystring: { return_to?: string } }>('/auth/login', async (request, reply) => {
    const viewer = currentViewer(ctx, request);
    const returnTo = safeReturnTo(request.query.return_to);
    const companies = [...ctx.state.companies.values()].map((company) => ({
      company,
      users: [...ctx.state.users.values()].filter((user) => user.companyId === company.id && user.active),
    }));
    return reply.type('text/html').send(
      renderPage(ctx, {
        title: 'Sign in',
        viewer,
        body: html`<section class="consent">
          <div class="card">
            <h1>Sign in to the Pipedrive sandbox</h1>
            <p class="muted">
              No passwords here: choose who you are. Each user authorizes apps for themself, as in Pipedrive.
            </p>
            ${viewer === null ? '' : html`<p>Signed in as <strong>${viewer.user.name}</strong>.</p>`}
          </div>
          ${companies.map(({ company, users }) => renderCompany(company, users, returnTo))}
        </section>`,
      }),
    );
  });

  fastify.post<{ Body: { user_id?: string; return_to?: string } }>('/auth/login', async (request, reply) => {
    const userId = Number(request.body?.user_id);
    const user = ctx.state.users.get(userId);
    if (user === undefined || !user.active)
      return reply
        .code(400)
        .type('text/html')
        .send(
          renderMessagePage(ctx, {
            title: 'Unknown user',
            message: 'Pick a user from the list.',
            viewer: null,
            tone: 'error',
          }),
        );
    const session = startSession(ctx, user.id);
    return reply.header('set-cookie', sessionCookie(session)).redirect(safeReturnTo(request.body?.return_to), 303);
  });

  fastify.post<{ Body: { _csrf?: string } }>('/auth/logout', async (request, reply) => {
    const viewer = currentViewer(ctx, request);
    if (viewer !== null && isValidCsrf(viewer, request.body?._csrf)) ctx.ui.sessions.delete(viewer.session.id);
    return reply.header('set-cookie', clearedSessionCookie()).redirect('/auth/login', 303);
  });

  // The theme switch in the top bar; the host script also tells every iframe (USER_SETTINGS_CHANGE).
  fastify.post<{ Body: { theme?: string } }>('/sandbox/session/theme', async (request, reply) => {
    const viewer = currentViewer(ctx, request);
    if (viewer === null) return reply.code(401).send({ error: 'Not signed in' });
    if (!isValidCsrf(viewer, request.headers['x-csrf-token'])) return reply.code(403).send({ error: 'Bad CSRF token' });
    const theme = request.body?.theme;
    if (theme !== 'light' && theme !== 'dark') return reply.code(400).send({ error: 'theme must be light or dark' });
    ctx.ui.themes.set(viewer.user.id, theme);
    return reply.code(204).send();
  });
}

function renderCompany(company: Company, users: User[], returnTo: string) {
  return html`<section class="card">
    <h2>${company.name} <span class="muted">· ${company.domain}.pipedrive.com · ${company.plan} plan</span></h2>
    <div class="users">
      ${users.map(
        (user) =>
          html`<form method="post" action="/auth/login">
            <input type="hidden" name="user_id" value="${user.id}" />
            <input type="hidden" name="return_to" value="${returnTo}" />
            <button type="submit" class="user-choice" data-sign-in-as="${user.id}">
              <span><strong>${user.name}</strong> <span class="muted">${user.email}</span></span>
              <span class="badge ${user.isAdmin ? 'ok' : ''}">${user.isAdmin ? 'Admin' : 'Regular user'}</span>
            </button>
          </form>`,
      )}
    </div>
  </section>`;
}
