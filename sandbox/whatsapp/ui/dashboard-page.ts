import type { MetaApp, WebhookAttempt } from '../records.ts';
import { formatDisplayNumber } from '../phone-numbers.ts';
import type { SandboxBusinessNumber } from '../emulator.ts';
import type { WhatsAppState } from '../state.ts';
import { TEMPLATE_STATUSES } from '../template-status.ts';
import { html, renderPage, type SafeHtml } from './layout.ts';

export function renderDashboardPage(options: {
  state: WhatsAppState;
  numbers: SandboxBusinessNumber[];
  focusAppId: string | null;
}): string {
  const { state } = options;
  const body = html`<h1>Meta app dashboard</h1>
    <p class="muted">
      The sandbox's stand-in for developers.facebook.com and WhatsApp Manager. Copy a number's credentials into Parley,
      set the app's webhook (the sandbox checks it with Meta's GET verify handshake), and make sure Parley subscribed
      the app to the WABA: only then are messages and statuses delivered.
    </p>
    ${[...state.apps.values()].map((app) => renderApp(state, app, options.numbers, options.focusAppId === app.id))}`;
  return renderPage({
    title: 'Meta app dashboard',
    current: 'dashboard',
    body,
    extraStyle: '.kv th { width: 170px; white-space: nowrap; }',
  });
}

function renderApp(state: WhatsAppState, app: MetaApp, numbers: SandboxBusinessNumber[], focused: boolean): SafeHtml {
  const verification = [...state.verifications].reverse().find((v) => v.appId === app.id);
  const attempts = state.attempts
    .filter((attempt) => attempt.appId === app.id)
    .slice(-12)
    .reverse();
  const wabas = [...state.wabas.values()].filter((waba) => waba.appId === app.id);
  const wabaIds = wabas.map((waba) => waba.id);
  const dropped = state.dropped.filter(
    (drop) => drop.appId === app.id || (drop.appId === null && wabaIds.includes(drop.wabaId)),
  ).length;
  return html`<section class="card" id="app-${app.id}">
    <h2>${app.name}</h2>
    <table class="kv">
      <tr>
        <th>App ID</th>
        <td class="mono">${app.id}</td>
      </tr>
      <tr>
        <th>App secret</th>
        <td class="mono">${app.secret}</td>
      </tr>
    </table>
    <h2 style="margin-top:16px">Webhook</h2>
    ${focused && verification ? html`<div class="notice ${verification.ok ? 'ok' : 'bad'}">${verification.ok ? 'Verified and saved: your endpoint echoed the challenge.' : verification.error}</div>` : ''}
    <p>
      ${app.webhook ? html`<span class="ok">Verified</span> <span class="mono">${app.webhook.callbackUrl}</span>` : html`<span class="bad">No callback URL verified yet</span>: nothing is delivered.`}
    </p>
    <form method="post" action="/whatsapp/apps/${app.id}/webhook">
      <label for="cb-${app.id}">Callback URL</label>
      <input
        id="cb-${app.id}"
        type="url"
        name="callback_url"
        required
        value="${app.webhook?.callbackUrl ?? ''}"
        placeholder="http://localhost:3000/webhooks/whatsapp"
      />
      <label for="vt-${app.id}">Verify token</label>
      <input id="vt-${app.id}" type="text" name="verify_token" required value="${app.webhook?.verifyToken ?? ''}" />
      <p><button type="submit">Verify and save</button></p>
    </form>
    ${wabas.map((waba) => {
      const number = numbers.find((n) => n.wabaId === waba.id);
      const subscribed = waba.subscribedAppIds.has(app.id);
      return html`<h2 style="margin-top:16px">WhatsApp Business Account ${waba.name}</h2>
        <table class="kv">
          <tr>
            <th>WABA ID</th>
            <td class="mono">${waba.id}</td>
          </tr>
          ${
            number
              ? html`<tr>
                    <th>Phone number</th>
                    <td>${number.verifiedName} · ${formatDisplayNumber(number.displayPhoneNumber)}</td>
                  </tr>
                  <tr>
                    <th>Phone number ID</th>
                    <td class="mono">${number.phoneNumberId}</td>
                  </tr>
                  <tr>
                    <th>Access token</th>
                    <td class="mono">${number.accessToken}</td>
                  </tr>`
              : ''
          }
          <tr>
            <th>Templates</th>
            <td>
              <form method="post" action="/whatsapp/apps/template-status" class="inline">
                <select name="template" aria-label="Template">
                  ${state.templates
                    .filter((template) => template.wabaId === waba.id)
                    .map(
                      (template) =>
                        html`<option value="${template.wabaId}|${template.name}|${template.language}">
                          ${template.name} (${template.language}) · ${template.status}
                        </option>`,
                    )}
                </select>
                <select name="status" aria-label="New status">
                  ${TEMPLATE_STATUSES.map((status) => html`<option>${status}</option>`)}
                </select>
                <button type="submit" class="secondary">Change status</button>
                <span class="muted">sends message_template_status_update</span>
              </form>
            </td>
          </tr>
          <tr>
            <th>App subscribed</th>
            <td>
              ${subscribed ? html`<span class="ok">Yes</span>` : html`<span class="bad">No</span> <span class="muted">— POST /{version}/${waba.id}/subscribed_apps with the access token</span>`}
            </td>
          </tr>
        </table>`;
    })}
    <h2 style="margin-top:16px">Recent deliveries</h2>
    ${dropped > 0 ? html`<p class="muted">${dropped} event(s) were not delivered because the webhook was not verified or the app not subscribed.</p>` : ''}
    ${attempts.length === 0 ? html`<p class="muted">None yet.</p>` : renderAttempts(attempts)}
  </section>`;
}

function renderAttempts(attempts: WebhookAttempt[]): SafeHtml {
  return html`<table>
    <tr>
      <th>When</th>
      <th>Result</th>
      <th>Attempt</th>
      <th>Body</th>
    </tr>
    ${attempts.map(
      (attempt) =>
        html`<tr>
          <td>${attempt.at.toLocaleTimeString('en-GB')}</td>
          <td>
            ${attempt.status === 200 ? html`<span class="ok">200</span>` : html`<span class="bad">${attempt.status ?? attempt.error}</span>`}${attempt.nextRetryInMs !== null ? html` <span class="muted">retry in ${Math.round(attempt.nextRetryInMs / 1000)} s</span>` : ''}
          </td>
          <td>${attempt.attempt}${attempt.duplicateOf ? ' (duplicate)' : ''}</td>
          <td class="mono">${attempt.body.length > 160 ? `${attempt.body.slice(0, 157)}…` : attempt.body}</td>
        </tr>`,
    )}
  </table>`;
}
