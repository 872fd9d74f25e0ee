import type { HostedExtension, PanelLocation, RegisteredApp } from '../records.ts';
import { activeGrant, installUrl } from './app-status.ts';
import { clamp, issueFrame } from './extension-frames.ts';
import { html, type SafeHtml } from '../../../server/html.ts';
import type { UiContext, Viewer } from './session.ts';
import type { FrameContext } from './ui-state.ts';

/** Markup of the app extensions a page embeds. The host script (browser/host.ts) drives them. */

function extensionsOf(ctx: UiContext, type: HostedExtension['type']): [RegisteredApp, HostedExtension][] {
  return [...ctx.state.apps.values()].flatMap((app) =>
    app.extensions.filter((extension) => extension.type === type).map((extension) => [app, extension] as const),
  ) as [RegisteredApp, HostedExtension][];
}

function iframe(
  app: RegisteredApp,
  extension: HostedExtension,
  frameId: string,
  url: string,
  size: { width?: number; height: number },
): SafeHtml {
  const style = `height:${size.height}px${size.width === undefined ? '' : `;width:${size.width}px`}`;
  // `data-src`: the host script sets `src` once it listens, so no SDK message is posted before that.
  return html`<iframe
    class="pd-frame"
    data-src="${url}"
    title="${app.name}: ${extension.name}"
    style="${style}"
    data-instance-id="${frameId}"
    data-kind="${extension.type}"
    data-client-id="${app.clientId}"
    data-app-name="${app.name}"
  ></iframe>`;
}

function authorizeHint(app: RegisteredApp): SafeHtml {
  return html`<div class="pd-hint">
    Authorize app to use this extension.
    <a class="button primary" href="${installUrl(app)}">Authorize</a>
  </div>`;
}

/** The sidebar panels for one detail view: one per app whose panel sits in `location`. */
export async function renderPanels(
  ctx: UiContext,
  viewer: Viewer,
  location: PanelLocation,
  context: FrameContext,
): Promise<SafeHtml> {
  const panels = extensionsOf(ctx, 'custom_panel').filter(([, extension]) => extension.locations.includes(location));
  const rendered = await Promise.all(
    panels.map(async ([app, extension]) => {
      const title = html`${app.name}: ${extension.name}`;
      if (activeGrant(ctx.state, app.clientId, viewer.user) === undefined)
        return html`<section class="pd-panel" data-app-panel="${app.clientId}">
          <header><strong>${title}</strong></header>
          ${authorizeHint(app)}
        </section>`;
      const { frame, url } = await issueFrame(ctx, { app, extension, user: viewer.user, theme: viewer.theme, context });
      const height = clamp(extension.size?.height ?? 200, 100, 750);
      return html`<section class="pd-panel" data-app-panel="${app.clientId}">
        <header>
          <button type="button" class="pd-panel-toggle" aria-expanded="true" data-panel-toggle="${frame.id}">
            ${title}
          </button>
        </header>
        <div class="pd-panel-body">${iframe(app, extension, frame.id, url, { height })}</div>
      </section>`;
    }),
  );
  return html`${rendered}`;
}

/**
 * The apps dock: a button per authorized app with a floating window, and the windows themselves,
 * hidden but loaded in the background as Pipedrive does, so they can initialize and set badges.
 */
export async function renderDock(ctx: UiContext, viewer: Viewer): Promise<{ buttons: SafeHtml; windows: SafeHtml }> {
  const docked = extensionsOf(ctx, 'custom_floating_window').filter(
    ([app]) => activeGrant(ctx.state, app.clientId, viewer.user) !== undefined,
  );
  const parts = await Promise.all(
    docked.map(async ([app, extension]) => {
      const { frame, url } = await issueFrame(ctx, {
        app,
        extension,
        user: viewer.user,
        theme: viewer.theme,
        context: null,
      });
      const size = {
        width: clamp(extension.size?.width ?? 360, 200, 800),
        height: clamp(extension.size?.height ?? 480, 70, 700),
      };
      return {
        button: html`<button
          type="button"
          class="pd-dock-button"
          aria-pressed="false"
          title="${app.name}"
          aria-label="${app.name}"
          data-dock-for="${app.clientId}"
        >
          ${app.name.slice(0, 1).toUpperCase()}<span class="pd-badge" hidden></span>
        </button>`,
        window: html`<div class="pd-floating" hidden data-floating-for="${app.clientId}">
          <header>
            <span>${app.name}</span>
            <button type="button" class="link" data-floating-close aria-label="Close ${app.name}">×</button>
          </header>
          ${iframe(app, extension, frame.id, url, size)}
        </div>`,
      };
    }),
  );
  return {
    buttons: html`${parts.map((part) => part.button)}`,
    windows: html`${parts.map((part) => part.window)}`,
  };
}

/** The app's custom_ui_settings extension, full width on its settings page. */
export async function renderSettingsFrame(
  ctx: UiContext,
  viewer: Viewer,
  app: RegisteredApp,
  extraParams: Record<string, string>,
): Promise<SafeHtml> {
  const extension = app.extensions.find((candidate) => candidate.type === 'custom_ui_settings');
  if (extension === undefined) return html`<p class="muted">${app.name} has no settings page.</p>`;
  if (activeGrant(ctx.state, app.clientId, viewer.user) === undefined) return authorizeHint(app);
  const { frame, url } = await issueFrame(ctx, {
    app,
    extension,
    user: viewer.user,
    theme: viewer.theme,
    context: null,
    extraParams,
  });
  return html`<div class="settings-frame">
    ${iframe(app, extension, frame.id, url, { height: extension.size?.height ?? 600 })}
  </div>`;
}
