import { html, jsonForScript, raw } from '../../html.ts';

/**
 * Small server-rendered pages for the ends of OAuth flows that are not a redirect: refusals,
 * "an admin must approve", cancelled consent, and the popup that closes itself. Plain HTML so they
 * work even when scripts fail; styled like the dashboard.
 */
export interface ResultPage {
  title: string;
  message: string;
  tone: 'success' | 'info' | 'error';
  /** Links shown as buttons, e.g. back to Pipedrive or to the dashboard. Relative or http(s) only. */
  actions?: { label: string; href: string }[];
  /**
   * Set when the page runs in a popup opened by a Pipedrive panel: the opener is told the outcome
   * at once (so the panel updates), and the page stays until the reader closes it.
   */
  popupResult?: { outcome: string };
  /** Facts the reader must see before confirming, as label and value. */
  facts?: [label: string, value: string][];
  /** A same-origin POST form with the CSRF token: a confirm button, and a cancel button (`decision`). */
  confirm?: { action: string; csrfToken: string; confirmLabel: string; cancelLabel: string };
}

function isSafeHref(href: string): boolean {
  return href.startsWith('/') ? !href.startsWith('//') && !href.startsWith('/\\') : /^https?:\/\//.test(href);
}

export function renderResultPage(page: ResultPage, scriptNonce: string): string {
  const actions = (page.actions ?? [])
    .filter((action) => isSafeHref(action.href))
    .map(
      (action, index) =>
        html`<a class="button${index === 0 ? ' primary' : ''}" href="${action.href}">${action.label}</a>`,
    );
  const facts =
    page.facts === undefined
      ? ''
      : html`<dl>
          ${page.facts.map(
            ([label, value]) =>
              html`<dt>${label}</dt>
                <dd>${value}</dd>`,
          )}
        </dl>`;
  const confirm =
    page.confirm === undefined
      ? ''
      : html`<form method="post" action="${page.confirm.action}">
          <input type="hidden" name="csrf" value="${page.confirm.csrfToken}" />
          <button class="button primary" type="submit" name="decision" value="confirm">
            ${page.confirm.confirmLabel}
          </button>
          <button class="button" type="submit" name="decision" value="cancel">${page.confirm.cancelLabel}</button>
        </form>`;
  // The opener is a Pipedrive-hosted panel on another origin; it only learns the outcome name.
  const report =
    page.popupResult === undefined
      ? ''
      : html`try { window.opener &&
        window.opener.postMessage(${jsonForScript({ type: 'parley:oauth', ...page.popupResult })}, '*'); } catch (e) {}`;
  // Any page may be the last one of a popup a panel opened (even a refusal before the flow knew it
  // was one): there, the way back to the record is closing the window, so the button shows.
  const popupScript = html`<script nonce="${scriptNonce}">
    ${report}(function () {
      var button = document.getElementById('close-window');
      if (!button || !window.opener) return;
      button.hidden = false;
      button.addEventListener('click', function () {
        window.close();
      });
    })();
  </script>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${page.title} · Parley</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <main class="tone-${page.tone}">
          <div class="brand">Parley</div>
          <h1>${page.title}</h1>
          <p>${page.message}</p>
          ${facts} ${confirm}
          <button id="close-window" class="button primary" type="button" hidden>Close this window</button>
          ${actions}
        </main>
        ${popupScript}
      </body>
    </html>`.__html;
}

const STYLE = `
body{margin:0;font:15px/1.5 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;background:#f5f6f8;color:#21232c}
main{max-width:520px;margin:12vh auto;padding:32px;background:#fff;border:1px solid #e1e3e8;border-radius:10px}
h1{font-size:20px;margin:0 0 8px}.tone-error h1{color:#c4232b}.tone-success h1{color:#017737}
p{margin:0 0 20px;color:#4a4f5e}.button{display:inline-block;margin:0 8px 8px 0;padding:8px 14px;border-radius:6px;border:1px solid #c9ccd4;color:#21232c;text-decoration:none}
.button.primary{background:#017737;border-color:#017737;color:#fff}button.button{font:inherit;cursor:pointer;background:#fff}button.button.primary{background:#017737;color:#fff}button[hidden]{display:none}
dl{margin:0 0 20px;display:grid;grid-template-columns:max-content 1fr;gap:6px 16px}dt{color:#6a6f7e}dd{margin:0;font-weight:600}.brand{font-weight:700;color:#017737;margin-bottom:16px}
`;
