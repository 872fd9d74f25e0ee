import type { FastifyInstance } from 'fastify';
import type { SandboxBusinessNumber, WhatsAppEmulator } from '../../whatsapp/emulator.ts';
import type { PipedriveEmulator } from '../emulator.ts';
import type { SeededCompany } from '../seed.ts';
import { canSee, type Deal, type Person, type RegisteredApp } from '../state.ts';
import { renderAppPage } from './app-page.ts';
import { activeGrant } from './app-status.ts';
import { html, raw, type SafeHtml } from '../../../server/html.ts';
import { renderPage } from './layout.ts';
import { currentViewer, type UiContext, type Viewer } from './session.ts';

/**
 * `GET /start`: the page `npm start` prints, also linked from the top bar. It walks a new user from
 * signing in to a WhatsApp message in a deal, ticking off the steps already done, with the
 * signed-in company's own admin, deals, persons and business number (Acme Demo's when signed out).
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
    const own = companyOf(pipedrive, whatsapp, viewer);
    const body = html`<section class="card">
        <h1>Try Parley without any accounts</h1>
        <p class="muted">
          This is a local sandbox: a stand-in for Pipedrive and for the WhatsApp Cloud API, with demo data. Nothing
          leaves this machine. Follow the five steps below.
        </p>
      </section>
      <ol class="steps card">
        ${signInStep(own.seeded, viewer)} ${installStep(ctx, viewer, app)} ${connectStep(app, own.number)}
        ${dealStep(own.deals)} ${phoneStep(own.persons, own.number, whatsapp)}
      </ol>
      <section class="card muted">
        Other users: sign in as a regular user of Acme Demo to see that each user authorizes Parley for themself, or as
        a Globex Corp user to see that companies are isolated.
        <a href="/auth/login?return_to=/start">Switch user</a>.
      </section>
      <section class="card muted">
        Mail Parley sends (sign-up confirmations, password resets) arrives in the sandbox's
        <a href="/mail">Mailbox</a>.
      </section>
      <script>
        ${raw(COPY_SCRIPT)};
      </script>`;
    const page =
      viewer === null
        ? renderPage(ctx, { title: 'Start here', viewer: null, body })
        : await renderAppPage(ctx, viewer, { title: 'Start here', body, section: 'start' });
    return reply.type('text/html').send(page);
  });
}

/** The Start page's company: the viewer's, with what it may see; the demo company when signed out. */
interface OwnCompany {
  seeded: SeededCompany;
  deals: Deal[];
  persons: Person[];
  number: SandboxBusinessNumber | undefined;
}

function companyOf(pipedrive: PipedriveEmulator, whatsapp: WhatsAppEmulator, viewer: Viewer | null): OwnCompany {
  const { demo, other } = pipedrive.seed;
  const companyId = viewer?.company.id ?? demo.company.id;
  const seeded = companyId === other.company.id ? other : demo;
  // The seed pairs each company with a business number: Acme Demo with [0], Globex with [1].
  const number = whatsapp.numbers[seeded === other ? 1 : 0];
  const visible = <T extends { companyId: number; ownerId: number; visibleTo: 1 | 3 | 5 | 7; isDeleted: boolean }>(
    records: Iterable<T>,
  ): T[] =>
    [...records].filter(
      (record) =>
        record.companyId === companyId && !record.isDeleted && (viewer === null || canSee(viewer.user, record)),
    );
  const state = pipedrive.state;
  return {
    seeded,
    deals: visible(state.deals.values()).filter((deal) => deal.status === 'open'),
    persons: visible(state.persons.values()).filter((person) => person.phones.length > 0),
    number,
  };
}

/** Copy buttons: the values are long and must arrive in Parley exactly. */
const COPY_SCRIPT = `
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (button === null) return;
  const value = button.getAttribute('data-copy');
  try {
    await navigator.clipboard.writeText(value);
    button.textContent = 'Copied';
  } catch {
    // No clipboard permission: select the value so Ctrl+C copies it.
    const code = button.parentElement && button.parentElement.querySelector('code');
    if (code) window.getSelection().selectAllChildren(code);
    button.textContent = 'Press Ctrl+C';
  }
  setTimeout(() => { button.textContent = 'Copy'; }, 2000);
});`;

function copyable(label: string, value: string): SafeHtml {
  return html`<dt>${label}</dt>
    <dd>
      <code>${value}</code>
      <button type="button" class="copy" data-copy="${value}" aria-label="Copy ${label}">Copy</button>
    </dd>`;
}

function step(done: boolean, name: string, content: SafeHtml): SafeHtml {
  return html`<li class="${done ? 'done' : ''}" data-step="${name}">${content}</li>`;
}

function signInStep(seeded: SeededCompany, viewer: Viewer | null): SafeHtml {
  const admin = seeded.admin;
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
          ${copyable('Phone number ID', number.phoneNumberId)}
          ${copyable('WhatsApp Business Account ID', number.wabaId)} ${copyable('Access token', number.accessToken)}
          ${copyable('App secret', number.appSecret)}
        </dl>`;
  return step(
    false,
    'connect',
    html`<h2>Connect a WhatsApp number</h2>
      <p>
        Your company's business number in the sandbox. Copy these values into Parley's WhatsApp settings (they stay the
        same across restarts):
      </p>
      ${credentials} ${settings === null ? '' : html`<a class="button" href="${settings}">Open Parley's settings</a>`}`,
  );
}

function dealStep(deals: Deal[]): SafeHtml {
  const [first] = deals;
  return step(
    false,
    'deal',
    html`<h2>Open a deal</h2>
      <p>Parley's WhatsApp chat sits in the deal's sidebar.</p>
      ${
        first === undefined
          ? html`<p class="muted">Your company has no open deal you may see.</p>`
          : html`<ul class="start-records" data-start-deals>
                ${deals.slice(0, 5).map((deal) => html`<li><a href="/deal/${deal.id}">${deal.title}</a></li>`)}
              </ul>
              <a class="button" href="/deal/${first.id}">Open “${first.title}”</a>`
      }`,
  );
}

function phoneStep(persons: Person[], number: SandboxBusinessNumber | undefined, whatsapp: WhatsAppEmulator): SafeHtml {
  const phonePath =
    number === undefined
      ? whatsapp.customerPhonePath
      : `${whatsapp.customerPhonePath}?number=${encodeURIComponent(number.phoneNumberId)}`;
  return step(
    false,
    'phone',
    html`<h2>Send a message from the customer's phone</h2>
      <p>
        The customer phone plays your customer on WhatsApp. Pick one of your contacts and write to
        ${number === undefined ? 'the business number' : html`<strong>+${number.displayPhoneNumber}</strong>`}; the
        message appears in the deal's chat panel.
      </p>
      <ul class="start-records" data-start-persons>
        ${persons
          .slice(0, 5)
          .map(
            (person) =>
              html`<li><a href="/person/${person.id}">${person.name}</a> ${person.phones[0]?.value ?? ''}</li>`,
          )}
      </ul>
      <a class="button" href="${phonePath}" target="_blank" rel="noopener">Open the customer phone</a>`,
  );
}
