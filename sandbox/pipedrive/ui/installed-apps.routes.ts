import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RegisteredApp } from '../records.ts';
import { AppActionError, changeSharing, uninstallApp } from './app-callbacks.ts';
import { renderAppPage } from './app-page.ts';
import { activeGrant, appStatus, installUrl, isSharedWith, STATUS_LABELS } from './app-status.ts';
import { renderSettingsFrame } from './extension-views.ts';
import { html, type SafeHtml } from '../../../server/html.ts';
import { isValidCsrf, requireViewer, type UiContext, type Viewer } from './session.ts';
import type { CallbackCall } from './ui-state.ts';

type AppParams = { Params: { clientId: string }; Body: { _csrf?: string; isShared?: string } };

/**
 * "Tools and apps → Marketplace apps": each app's status for the signed-in user, Uninstall, the
 * admin's sharing control, and the app's settings page (Pipedrive's deep link).
 */
export async function installedAppsRoutes(fastify: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  fastify.get('/settings/marketplace', async (request, reply) => {
    const viewer = requireViewer(ctx, request, reply);
    if (viewer === null) return reply;
    const apps = [...ctx.state.apps.values()].filter(
      (app) => appStatus(ctx.state, ctx.ui, app, viewer.user) !== 'not_installed',
    );
    const body = html`<h1>Marketplace apps</h1>
      <p class="muted">Apps installed for ${viewer.user.name} in ${viewer.company.name}.</p>
      ${
        apps.length === 0
          ? html`<p class="card">No apps yet. <a href="/marketplace">Browse the Marketplace</a>.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>App</th>
                  <th>Status</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                ${apps.map((app) => renderRow(ctx, viewer, app))}
              </tbody>
            </table>`
      }`;
    return reply
      .type('text/html')
      .send(await renderAppPage(ctx, viewer, { title: 'Marketplace apps', section: 'settings', body }));
  });

  fastify.post<AppParams>('/settings/marketplace/app/:clientId/uninstall', async (request, reply) => {
    const viewer = requireViewer(ctx, request, reply);
    if (viewer === null) return reply;
    return runAction(ctx, viewer, reply, request.body?._csrf, 'Uninstall', () =>
      uninstallApp(ctx, { clientId: request.params.clientId, userId: viewer.user.id }),
    );
  });

  fastify.post<AppParams>('/settings/marketplace/app/:clientId/sharing', async (request, reply) => {
    const viewer = requireViewer(ctx, request, reply);
    if (viewer === null) return reply;
    const isShared = request.body?.isShared === 'true';
    return runAction(ctx, viewer, reply, request.body?._csrf, isShared ? 'Add to all users' : 'Only me', () =>
      changeSharing(ctx, { clientId: request.params.clientId, userId: viewer.user.id, isShared }),
    );
  });

  fastify.get<{ Params: { clientId: string }; Querystring: Record<string, unknown> }>(
    '/settings/marketplace/app/:clientId/app-settings',
    async (request, reply) => {
      const viewer = requireViewer(ctx, request, reply);
      if (viewer === null) return reply;
      const app = ctx.state.apps.get(request.params.clientId);
      const body =
        app === undefined
          ? html`<section class="card notice error"><h1>App not found</h1></section>`
          : html`<h1>${app.name} settings</h1>
              ${await renderSettingsFrame(ctx, viewer, app, stringsOnly(request.query))}`;
      return reply
        .code(app === undefined ? 404 : 200)
        .type('text/html')
        .send(await renderAppPage(ctx, viewer, { title: `${app?.name ?? 'App'} settings`, section: 'settings', body }));
    },
  );
}

function stringsOnly(query: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function renderRow(ctx: UiContext, viewer: Viewer, app: RegisteredApp): SafeHtml {
  const status = appStatus(ctx.state, ctx.ui, app, viewer.user);
  const installed = activeGrant(ctx.state, app.clientId, viewer.user) !== undefined;
  const csrf = html`<input type="hidden" name="_csrf" value="${viewer.session.csrfToken}" />`;
  const base = `/settings/marketplace/app/${encodeURIComponent(app.clientId)}`;
  const hasSettings = app.extensions.some((extension) => extension.type === 'custom_ui_settings');
  const shared = isSharedWith(ctx.ui, app.clientId, viewer.user);
  return html`<tr data-installed-app="${app.clientId}">
    <td><strong>${app.name}</strong><br /><span class="muted">${app.description}</span></td>
    <td>
      <span class="badge ${status === 'authorized' ? 'ok' : 'warn'}" data-app-status="${status}"
        >${STATUS_LABELS[status]}</span
      >
    </td>
    <td>
      <div class="row">
        ${
          status === 'authorized'
            ? ''
            : html`<a class="button primary" href="${installUrl(app)}">${STATUS_LABELS[status]}</a>`
        }
        ${installed && hasSettings ? html`<a class="button" href="${base}/app-settings">Settings</a>` : ''}
        ${
          installed
            ? html`<form method="post" action="${base}/uninstall">
                ${csrf}<button type="submit" class="negative" data-uninstall="${app.clientId}">Uninstall</button>
              </form>`
            : ''
        }
        ${
          installed && viewer.user.isAdmin
            ? html`<form method="post" action="${base}/sharing" class="row">
                ${csrf}
                <label>
                  Visible to
                  <select name="isShared" data-sharing="${app.clientId}">
                    <option value="false" ${shared ? '' : 'selected'}>Only me</option>
                    <option value="true" ${shared ? 'selected' : ''}>All users</option>
                  </select>
                </label>
                <button type="submit">Save</button>
              </form>`
            : ''
        }
      </div>
    </td>
  </tr>`;
}

/** Runs an uninstall or sharing change and shows what Pipedrive sent to the app and how it answered. */
async function runAction(
  ctx: UiContext,
  viewer: Viewer,
  reply: FastifyReply,
  csrf: string | undefined,
  label: string,
  action: () => Promise<CallbackCall>,
) {
  let body: SafeHtml;
  let code = 200;
  if (!isValidCsrf(viewer, csrf)) {
    code = 403;
    body = html`<section class="card notice error" role="alert">
      <h1>The form expired</h1>
      <p>Reload the page and try again.</p>
    </section>`;
  } else {
    try {
      const call = await action();
      const answered = call.status === null ? html`failed: ${call.error}` : html`HTTP ${call.status}`;
      const ok = call.status !== null && call.status >= 200 && call.status < 300;
      body = html`<section
        class="card notice ${ok ? 'ok' : 'error'}"
        role="status"
        data-callback-result="${call.status ?? 'error'}"
      >
        <h1>${label}: done</h1>
        <p>Pipedrive sent <code>${call.method} ${call.url}</code> → <strong>${answered}</strong></p>
        <pre class="mono">${JSON.stringify(call.body, null, 2)}</pre>
      </section>`;
    } catch (error) {
      if (!(error instanceof AppActionError)) throw error;
      code = 400;
      body = html`<section class="card notice error" role="alert">
        <h1>${label}</h1>
        <p>${error.message}</p>
      </section>`;
    }
  }
  const page = await renderAppPage(ctx, viewer, {
    title: label,
    section: 'settings',
    body: html`${body}
      <p><a href="/settings/marketplace">Back to Marketplace apps</a></p>`,
  });
  return reply.code(code).type('text/html').send(page);
}
