import { html, jsonForScript, type SafeHtml } from '../../../server/html.ts';
import type { UiContext, Viewer } from './session.ts';

export type Section = 'start' | 'deals' | 'persons' | 'leads' | 'marketplace' | 'settings';

/** What the host script (browser/host.ts) reads from the page. */
export interface HostConfig {
  csrfToken: string;
  theme: 'light' | 'dark';
  initTimeoutMs: number;
}

export interface PageOptions {
  title: string;
  body: SafeHtml;
  viewer: Viewer | null;
  section?: Section;
  /** Apps dock buttons (top bar) and floating windows, rendered by the caller (they carry JWTs). */
  dock?: { buttons: SafeHtml; windows: SafeHtml };
}

const NAV: [Section, string, string][] = [
  // Not Pipedrive's: the sandbox's own guide (credentials to copy, where to click next).
  ['start', 'Start here', '/start'],
  ['deals', 'Deals', '/deals'],
  ['persons', 'Persons', '/persons'],
  ['leads', 'Leads', '/leads/inbox'],
  ['marketplace', 'Marketplace', '/marketplace'],
  ['settings', 'Settings', '/settings/marketplace'],
];

function initials(name: string): string {
  return name
    .split(' ')
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

function renderTopBar(viewer: Viewer, options: PageOptions): SafeHtml {
  const { user, company, theme, session } = viewer;
  return html`<header class="topbar">
    <a class="logo" href="/deals">pipedrive<span>sandbox</span></a>
    <nav class="nav" aria-label="Main">
      ${NAV.map(
        ([section, label, href]) =>
          html`<a href="${href}" ${options.section === section ? html`aria-current="page"` : ''}>${label}</a>`,
      )}
    </nav>
    <div class="dock" aria-label="Apps dock">${options.dock?.buttons}</div>
    <button type="button" data-theme-toggle aria-label="Switch theme">
      ${theme === 'dark' ? 'Light' : 'Dark'} theme
    </button>
    <div class="who" data-signed-in-user="${user.id}">
      <div class="avatar" aria-hidden="true">${initials(user.name)}</div>
      <div>
        <strong>${user.name}</strong>
        <small>${company.name}${user.isAdmin ? ' · Admin' : ''}</small>
      </div>
      <form method="post" action="/auth/logout">
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        <button type="submit" class="link">Sign out</button>
      </form>
    </div>
  </header>`;
}

/** A whole HTML document in the sandbox's chrome. Signed-in pages load the extension host script. */
export function renderPage(ctx: UiContext, options: PageOptions): string {
  const { viewer } = options;
  const hostConfig: HostConfig | null =
    viewer === null
      ? null
      : { csrfToken: viewer.session.csrfToken, theme: viewer.theme, initTimeoutMs: ctx.ui.extensionInitTimeoutMs };
  return html`<!doctype html>
    <html lang="en" data-theme="${viewer?.theme ?? 'light'}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Pipedrive sandbox</title>
        <link rel="stylesheet" href="/sandbox-assets/pipedrive.css" />
      </head>
      <body>
        ${viewer === null ? '' : renderTopBar(viewer, options)}
        <main class="page">${options.body}</main>
        ${options.dock?.windows}
        ${
          hostConfig === null
            ? ''
            : html`<script type="application/json" id="pd-host-config">
                  ${jsonForScript(hostConfig)}
                </script>
                <script type="module" src="/sandbox-assets/host.js"></script>`
        }
      </body>
    </html>`.__html;
}

/** A small page with one message (errors, results). */
export function renderMessagePage(
  ctx: UiContext,
  options: { title: string; message: SafeHtml | string; viewer: Viewer | null; tone?: 'error' | 'ok' },
): string {
  return renderPage(ctx, {
    title: options.title,
    viewer: options.viewer,
    body: html`<section
      class="card notice ${options.tone ?? ''}"
      role="${options.tone === 'error' ? 'alert' : 'status'}"
    >
      <h1>${options.title}</h1>
      <p>${options.message}</p>
    </section>`,
  });
}
