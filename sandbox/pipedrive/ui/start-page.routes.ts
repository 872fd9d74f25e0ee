import type { FastifyInstance } from 'fastify';
import type { SandboxBusinessNumber, WhatsAppEmulator } from '../../whatsapp/emulator.ts';
import type { PipedriveEmulator } from '../emulator.ts';
import type { RegisteredApp } from '../records.ts';
import { renderAppPage } from './app-page.ts';
import { activeGrant } from './app-status.ts';
import { html, type SafeHtml } from '../../../server/html.ts';
import { renderPage } from './layout.ts';
import { currentViewer, type UiContext, type Viewer } from './session.ts';

/**
 * `GET /start`: the page `npm start` prints. It walks a new user from signing in to a WhatsApp
 * message in a deal, ticking off the steps already done.
 */
export async function startPageRoutes(
  fastify: FastifyInstance,
  options: { pipedrive: PipedriveEmulator; whatsapp: WhatsAppEmulator },
): Promise<void> {
  const { pipedrive, whatsapp } = options;
  const ctx = pipedrive.ui.context;

  fastify.get('/', async (_request, reply) => reply.redirect('/start'));

  fastify.get('/start', async (request, reply) => {
    const viewer = currentViewer(ctx, request);
    const app = [...ctx.state.apps.values()][0];
    const body = html`<section class="card">
        <h1>Try Parley without any accounts</h1>
        <p class="muted">
          This is a local sandbox: a stand-in for Pipedrive and for the WhatsApp Cloud API, with demo data. Nothing
          leaves this machine. Follow the five steps below.
        </p>
      </section>
      <ol class="steps card">
        ${signInStep(pipedrive, viewer)} ${installStep(ctx, viewer, app)} ${connectStep(app, whatsapp.numbers[0])}
        ${dealStep(pipedrive)} ${phoneStep(pipedrive, whatsapp)}
      </ol>
      <section class="card muted">
        Other users: sign in as a regular user of Acme Demo to see that each user authorizes Parley for themself, or as
        a Globex Corp user to see that companies are isolated.
        <a href="/auth/login?return_to=/start">Switch user</a>.
      </section>
      <section class="card muted">
        Mail Parley sends (sign-up confirmations, password resets) arrives in the sandbox's
        <a href="/mail">Mailbox</a>.
      </section>`;
    const page =
      viewer === null
        ? renderPage(ctx, { title: 'Start here', viewer: null, body })
        : await renderAppPage(ctx, viewer, { title: 'Start here', body });
    return reply.type('text/html').send(page);
  });
}

function step(done: boolean, name: string, content: SafeHtml): SafeHtml {
  return html`<li class="${done ? 'done' : ''}" data-step="${name}">${content}</li>`;
}

function signInStep(pipedrive: PipedriveEmulator, viewer: Viewer | null): SafeHtml {
  const admin = pipedrive.seed.demo.admin;
  return step(
    viewer !== null,
    'sign-in',
    html`<h2>Sign in to Pipedrive as the admin</h2>
      ${
        viewer === null
          ? html`<p>The sandbox has no passwords: you pick a user.</p>`
          : html`<p>Signed in as <strong>${viewer.user.name}</strong> (${viewer.company.name}).</p>`
      }
      <form method="post" action="/auth/login">
        <input type="hidden" name="user_id" value="${admin.id}" />
        <input type="hidden" name="return_to" value="/start" />
        <button type="submit" class="${viewer === null ? 'primary' : ''}">Sign in as ${admin.name}</button>
      </form>`,
  );
}

function installStep(ctx: UiContext, viewer: Viewer | null, app: RegisteredApp | undefined): SafeHtml {
  if (app === undefined)
    return step(
      false,
      'install',
      html`<h2>Install Parley</h2>
        <p>No app is registered in this sandbox.</p>`,
    );
  const installed = viewer !== null && activeGrant(ctx.state, app.clientId, viewer.user) !== undefined;
  return step(
    installed,
    'install',
    html`<h2>Install ${app.name} from the Marketplace</h2>
      <p>
        Click <strong>Install</strong>, then <strong>Allow and install</strong> on Pipedrive's consent page. Pipedrive
        sends you back to ${app.name}, which finishes the installation.
      </p>
      <a class="button ${installed ? '' : 'primary'}" href="/marketplace/app/${encodeURIComponent(app.clientId)}"
        >Open ${app.name} in the Marketplace</a
      >`,
  );
}

function connectStep(app: RegisteredApp | undefined, number: SandboxBusinessNumber | undefined): SafeHtml {
  const settings =
    app === undefined ? null : `/settings/marketplace/app/${encodeURIComponent(app.clientId)}/app-settings`;
  const credentials =
    number === undefined
      ? html`<p class="muted">The WhatsApp emulator has no business number yet.</p>`
      : html`<dl class="credentials" data-whatsapp-credentials>
          <dt>Phone number</dt>
          <dd>+${number.displayPhoneNumber} (${number.verifiedName})</dd>
          <dt>Phone number ID</dt>
          <dd><code>${number.phoneNumberId}</code></dd>
          <dt>WhatsApp Business Account ID</dt>
          <dd><code>${number.wabaId}</code></dd>
          <dt>Access token</dt>
          <dd><code>${number.accessToken}</code></dd>
          <dt>App secret</dt>
          <dd><code>${number.appSecret}</code></dd>
        </dl>`;
  return step(
    false,
    'connect',
    html`<h2>Connect a WhatsApp number</h2>
      <p>The sandbox's business number. Paste these values in Parley's WhatsApp settings:</p>
      ${credentials} ${settings === null ? '' : html`<a class="button" href="${settings}">Open Parley's settings</a>`}`,
  );
}

function dealStep(pipedrive: PipedriveEmulator): SafeHtml {
  const deal = pipedrive.seed.demo.deals[0];
  return step(
    false,
    'deal',
    html`<h2>Open a deal</h2>
      <p>Parley's WhatsApp chat sits in the deal's sidebar.</p>
      ${deal === undefined ? '' : html`<a class="button" href="/deal/${deal.id}">Open “${deal.title}”</a>`}`,
  );
}

function phoneStep(pipedrive: PipedriveEmulator, whatsapp: WhatsAppEmulator): SafeHtml {
  const person = pipedrive.seed.demo.persons[0];
  return step(
    false,
    'phone',
    html`<h2>Send a message from the customer's phone</h2>
      <p>
        The customer phone plays your customer on WhatsApp.
        ${
          person === undefined
            ? ''
            : html`Pick ${person.name} (${person.phones[0]?.value ?? ''}) and write to the business number;`
        }
        the message appears in the deal's chat panel.
      </p>
      <a class="button" href="${whatsapp.customerPhonePath}" target="_blank" rel="noopener"
        >Open the customer phone</a
      >`,
  );
}
