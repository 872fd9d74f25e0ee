import type { FastifyInstance } from 'fastify';
import type { RegisteredApp } from '../records.ts';
import { renderAppPage } from './app-page.ts';
import { appStatus, describeScope, installUrl, STATUS_LABELS, type AppStatus } from './app-status.ts';
import { html, type SafeHtml } from '../../../server/html.ts';
import { requireViewer, type UiContext, type Viewer } from './session.ts';

const EXTENSION_TYPES: Record<string, string> = {
  custom_panel: 'Panel',
  custom_modal: 'Modal',
  custom_floating_window: 'Floating window',
  custom_ui_settings: 'Settings page',
};

function statusBadge(status: AppStatus): SafeHtml {
  const tone = status === 'authorized' ? 'ok' : status === 'not_installed' ? '' : 'warn';
  return html`<span class="badge ${tone}" data-app-status="${status}">${STATUS_LABELS[status]}</span>`;
}

/** Install goes to the app's Installation URL when it has one, else straight to consent (no state). */
function installButton(app: RegisteredApp, status: AppStatus): SafeHtml {
  if (status === 'authorized') return html`<a class="button" href="/settings/marketplace">Manage</a>`;
  const label = status === 'reauthorize' ? 'Re-authorize' : status === 'authorize' ? 'Authorize' : 'Install';
  return html`<a class="button primary" href="${installUrl(app)}" data-install="${app.clientId}">${label}</a>`;
}

/** The Marketplace: every app registered in the sandbox, and one page per app. */
export async function marketplaceRoutes(fastify: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  fastify.get('/marketplace', async (request, reply) => {
    const viewer = requireViewer(ctx, request, reply);
    if (viewer === null) return reply;
    const apps = [...ctx.state.apps.values()];
    const body = html`<h1>Marketplace</h1>
      <p class="muted">Apps registered in this sandbox. Installing one opens Pipedrive's consent page.</p>
      <div class="grid">
        ${
          apps.length === 0
            ? html`<p class="card">No apps are registered. <code>startSandbox({ apps })</code> registers them.</p>`
            : apps.map((app) => renderCard(ctx, viewer, app))
        }
      </div>`;
    return reply
      .type('text/html')
      .send(await renderAppPage(ctx, viewer, { title: 'Marketplace', section: 'marketplace', body }));
  });

  fastify.get<{ Params: { clientId: string } }>('/marketplace/app/:clientId', async (request, reply) => {
    const viewer = requireViewer(ctx, request, reply);
    if (viewer === null) return reply;
    const app = ctx.state.apps.get(request.params.clientId);
    if (app === undefined) {
      const body = html`<section class="card notice error"><h1>App not found</h1></section>`;
      return reply
        .code(404)
        .type('text/html')
        .send(await renderAppPage(ctx, viewer, { title: 'App not found', body }));
    }
    const status = appStatus(ctx.state, ctx.ui, app, viewer.user);
    const body = html`<section class="card">
        <div class="row" style="justify-content: space-between">
          <div>
            <h1>${app.name}</h1>
            <p class="muted">${app.description}</p>
          </div>
          <div class="row">${statusBadge(status)} ${installButton(app, status)}</div>
        </div>
      </section>
      <section class="card">
        <h2>Permissions</h2>
        <ul class="scopes">
          ${app.scopes.map((scope) => html`<li>${describeScope(scope)} <code class="muted">${scope}</code></li>`)}
        </ul>
      </section>
      <section class="card">
        <h2>App extensions</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Where</th>
            </tr>
          </thead>
          <tbody>
            ${app.extensions.map(
              (extension) =>
                html`<tr>
                  <td>${extension.name}</td>
                  <td>${EXTENSION_TYPES[extension.type] ?? extension.type}</td>
                  <td>${extension.locations.join(', ') || '—'}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>`;
    return reply
      .type('text/html')
      .send(await renderAppPage(ctx, viewer, { title: app.name, section: 'marketplace', body }));
  });
}

function renderCard(ctx: UiContext, viewer: Viewer, app: RegisteredApp): SafeHtml {
  const status = appStatus(ctx.state, ctx.ui, app, viewer.user);
  return html`<article class="card" data-app-card="${app.clientId}">
    <h2><a href="/marketplace/app/${encodeURIComponent(app.clientId)}">${app.name}</a></h2>
    <p class="muted">${app.description}</p>
    <div class="row">${installButton(app, status)} ${statusBadge(status)}</div>
  </article>`;
}
