import { formatDisplayNumber } from '../phone-numbers.ts';
import type { BusinessPhone, Customer } from '../records.ts';
import { html, renderPage, type SafeHtml } from './layout.ts';
import { CHAT_STYLE } from './phone-chat.ts';
import { PHONE_SCRIPT } from './phone-script.ts';

export const PHONE_PATH = '/whatsapp/phone';

/** The "More…" menu: every other kind of message a customer can send, with sample content. */
export const MORE_KINDS: [string, string][] = [
  ['voice', '🎤 Voice note'],
  ['audio', '🎵 Audio file'],
  ['video', '🎬 Video'],
  ['sticker', '🌟 Sticker'],
  ['animated-sticker', '✨ Animated sticker'],
  ['location', '📍 Location'],
  ['contact', '👤 Contact card'],
  ['unsupported', '⚠️ Unsupported message (e.g. a poll)'],
];

function chatHref(customer: Customer, phone: BusinessPhone): string {
  return `${PHONE_PATH}?${new URLSearchParams({ customer: customer.waId, number: phone.id }).toString()}`;
}

/**
 * The customer phone: pick or create a customer, pick a business number, chat. Works without
 * JavaScript (plain forms); the script adds live ticks, replies, reactions, photos and button taps.
 */
export function renderPhonePage(options: {
  customers: Customer[];
  phones: BusinessPhone[];
  customer: Customer | null;
  phone: BusinessPhone;
  chat: SafeHtml | null;
  error?: string;
}): string {
  const { customer, phone } = options;
  const body = html`<h1>Customer phone</h1>
    <p class="muted">
      Be a customer: write to a business number from WhatsApp. Messages you send reach Parley as signed webhooks,
      exactly as Meta sends them; the business's replies appear here with their delivery ticks.
    </p>
    ${options.error ? html`<div class="notice bad">${options.error}</div>` : ''}
    <div class="phone-layout">
      <aside>
        <div class="card">
          <h2>Who are you?</h2>
          <nav class="customers">
            ${options.customers.map(
              (c) =>
                html`<a href="${chatHref(c, phone)}" ${c.waId === customer?.waId ? html`aria-current="true"` : ''}
                  >${c.name}<br /><span class="muted">+${c.waId}</span></a
                >`,
            )}
          </nav>
          <form method="post" action="${PHONE_PATH}/customers">
            <input type="hidden" name="number" value="${phone.id}" />
            <label for="new-name">New customer: name</label
            ><input id="new-name" type="text" name="name" required placeholder="Ana Lima" />
            <label for="new-phone">Number (with country code)</label
            ><input id="new-phone" type="tel" name="phone" required placeholder="+351 912 345 678" />
            <details>
              <summary class="muted">Username and privacy (optional)</summary>
              <label for="new-username">WhatsApp username</label
              ><input id="new-username" type="text" name="username" placeholder="ana.lima" />
              <label><input type="checkbox" name="phone_hidden" /> Hide my number from businesses</label>
            </details>
            <p><button type="submit" class="secondary">Get WhatsApp</button></p>
          </form>
        </div>
        <div class="card">
          <h2>Chat with</h2>
          <nav class="customers">
            ${options.phones.map(
              (p) =>
                html`<a
                  href="${customer ? chatHref(customer, p) : `${PHONE_PATH}?number=${p.id}`}"
                  ${p.id === phone.id ? html`aria-current="true"` : ''}
                  >${p.verifiedName}<br /><span class="muted">${formatDisplayNumber(p.displayPhoneNumber)}</span></a
                >`,
            )}
          </nav>
        </div>
      </aside>
      <section>
        ${customer && options.chat ? renderPhone(customer, phone, options.chat) : html`<div class="card"><p>Pick a customer on the left, or create one, to open their phone.</p></div>`}
      </section>
    </div>`;
  return renderPage({ title: 'Customer phone', current: 'phone', body, extraStyle: CHAT_STYLE, script: PHONE_SCRIPT });
}

function renderPhone(customer: Customer, phone: BusinessPhone, chat: SafeHtml): SafeHtml {
  const fragmentUrl = `${PHONE_PATH}/chat?${new URLSearchParams({ customer: customer.waId, number: phone.id }).toString()}`;
  return html`<div
      class="phone"
      id="phone"
      data-customer="${customer.waId}"
      data-number="${phone.id}"
      data-fragment="${fragmentUrl}"
    >
      <div id="chat">${chat}</div>
      <form class="composer" id="composer" method="post" action="${PHONE_PATH}/send">
        <input type="hidden" name="customer" value="${customer.waId}" />
        <input type="hidden" name="number" value="${phone.id}" />
        <input type="hidden" name="replyTo" value="" id="reply-to" />
        <div class="replying" id="replying">
          <span id="replying-text"></span> <button type="button" class="link" id="cancel-reply">✕</button>
        </div>
        <div class="row">
          <input
            type="text"
            name="text"
            id="text"
            placeholder="Message as ${customer.name}"
            autocomplete="off"
            aria-label="Message"
          />
          <button type="submit">Send</button>
        </div>
        <div class="tools">
          <button type="button" class="chip" id="send-photo" title="Send the sandbox's sample photo">
            📷 Sample photo
          </button>
          <button type="button" class="chip" id="send-pdf" title="Send the sandbox's sample PDF">📄 Sample PDF</button>
          <label class="chip" for="file" title="Send a JPEG, PNG or PDF from this computer">📎 Attach a file…</label>
          <input type="file" id="file" accept="image/png,image/jpeg,application/pdf" hidden />
          <select name="sample" id="more" class="chip" aria-label="Send another kind of message">
            <option value="">➕ More…</option>
            ${MORE_KINDS.map(([value, label]) => html`<option value="${value}">${label}</option>`)}
          </select>
        </div>
        <label class="screen"
          ><input type="checkbox" id="screen-on" checked /> Screen on: messages are read as soon as they arrive</label
        >
        <div class="toast" id="toast" role="status"></div>
      </form>
    </div>
    <p class="muted">
      Signed in as <strong>${customer.name}</strong> (+${customer.waId}). Hover a message to reply or react; tap a
      template's buttons to answer.
    </p>`;
}
