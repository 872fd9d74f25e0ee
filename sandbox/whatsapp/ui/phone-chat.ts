import { formatDisplayNumber } from '../phone-numbers.ts';
import type { BusinessPhone, ChatMessage, Customer } from '../records.ts';
import { html, type SafeHtml } from './layout.ts';

const REACTIONS = ['👍', '❤️', '😂', '😮', '🙏'];

function time(date: Date): string {
  return date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

/** The chat as the customer's phone shows it; the page polls this fragment to update ticks live. */
export function renderChat(options: {
  phone: BusinessPhone;
  customer: Customer;
  messages: ChatMessage[];
  windowOpenUntil: Date | null;
}): SafeHtml {
  const { messages } = options;
  const bubbles = messages.filter((message) => message.type !== 'reaction');
  const reactions = latestReactions(messages);
  const byId = new Map(messages.map((message) => [message.wamid, message]));
  const windowLine = options.windowOpenUntil
    ? html`<span class="ok">Customer service window open until ${time(options.windowOpenUntil)}</span>: the business may
        reply freely.`
    : html`<span class="bad">No open customer service window</span>: the business can only send approved templates until
        ${options.customer.name} writes.`;
  return html`<div class="chat-head">
      <div>
        <strong>${options.phone.verifiedName}</strong> <span class="badge" title="Verified business">✔</span><br />
        <span class="muted">${formatDisplayNumber(options.phone.displayPhoneNumber)}</span>
      </div>
    </div>
    <div class="window muted">${windowLine}</div>
    <div class="bubbles">
      ${bubbles.length === 0 ? html`<p class="empty muted">No messages yet. Say hello to ${options.phone.verifiedName}!</p>` : ''}
      ${bubbles.map((message) => renderBubble(message, byId, reactions.get(message.wamid) ?? []))}
    </div>`;
}

/** The latest reaction of each side per message (an empty emoji removes it). */
function latestReactions(messages: ChatMessage[]): Map<string, string[]> {
  const latest = new Map<string, Map<string, string>>();
  for (const message of messages) {
    if (!message.reaction) continue;
    const perSide = latest.get(message.reaction.messageId) ?? new Map<string, string>();
    perSide.set(message.direction, message.reaction.emoji);
    latest.set(message.reaction.messageId, perSide);
  }
  return new Map([...latest].map(([id, perSide]) => [id, [...perSide.values()].filter((emoji) => emoji !== '')]));
}

function renderBubble(message: ChatMessage, byId: Map<string, ChatMessage>, reactions: string[]): SafeHtml {
  // Seen from the customer's phone: the business's messages come in on the left.
  const side = message.direction === 'outbound' ? 'in' : 'out';
  const quoted = message.contextId ? byId.get(message.contextId) : undefined;
  const pending = message.direction === 'outbound' && ['accepted', 'sent', 'failed'].includes(message.status);
  return html`<div class="msg ${side}${pending ? ' pending' : ''}" data-wamid="${message.wamid}">
    ${quoted ? html`<div class="quote">${quoted.direction === 'outbound' ? 'Business' : 'You'}: ${summary(quoted)}</div>` : ''}
    ${renderContent(message)}
    <div class="meta">${time(message.createdAt)} ${renderStatus(message)}</div>
    ${reactions.length > 0 ? html`<div class="reactions">${reactions.join(' ')}</div>` : ''}
    <div class="actions">
      <button type="button" class="link" data-reply="${message.wamid}" data-summary="${summary(message)}">Reply</button>
      ${REACTIONS.map((emoji) => html`<button type="button" class="link" data-react="${message.wamid}" data-emoji="${emoji}">${emoji}</button>`)}
    </div>
  </div>`;
}

const TYPE_LABELS: Partial<Record<ChatMessage['type'], string>> = {
  image: '📷 Photo',
  document: '📄 Document',
  audio: '🎵 Audio',
  video: '🎬 Video',
  sticker: '🌟 Sticker',
  location: '📍 Location',
  contacts: '👤 Contact',
  unsupported: '⚠️ Unsupported message',
};

function typeLabel(message: ChatMessage): string {
  if (message.type === 'audio' && message.media?.voice) return '🎤 Voice note';
  return TYPE_LABELS[message.type] ?? '';
}

function summary(message: ChatMessage): string {
  const text = message.text ?? typeLabel(message);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** The newer types (audio, video, sticker, location, contacts, interactive, unsupported). */
function renderRichContent(message: ChatMessage): SafeHtml | null {
  const content = (message.content ?? {}) as Record<string, unknown>;
  switch (message.type) {
    case 'audio':
    case 'video':
    case 'sticker': {
      const href = message.media?.id ? `/whatsapp/phone/media/${message.media.id}` : (message.media?.link ?? '#');
      const play =
        message.direction === 'outbound' && message.type === 'audio' && ['delivered', 'read'].includes(message.status)
          ? html` <button type="button" class="link" data-play="${message.wamid}">▶ Play</button>`
          : '';
      return html`<div class="text"><a href="${href}">${typeLabel(message)}</a>${play}</div>
        ${message.text !== null ? html`<div class="text">${message.text}</div>` : ''}`;
    }
    case 'location': {
      const { latitude, longitude, name, address } = content as {
        latitude: number;
        longitude: number;
        name?: string;
        address?: string;
      };
      return html`<div class="text">
        📍
        <a
          href="https://www.openstreetmap.org/?mlat=${String(latitude)}&mlon=${String(longitude)}"
          target="_blank"
          rel="noopener"
          >${name ?? `${latitude}, ${longitude}`}</a
        >${address ? html`<br /><span class="muted">${address}</span>` : ''}
      </div>`;
    }
    case 'contacts':
      return html`<div class="text">👤 ${message.text ?? ''}</div>`;
    case 'unsupported':
      return html`<div class="text muted">⚠️ This message type is not supported by WhatsApp Business</div>`;
    case 'interactive':
      return message.direction === 'inbound'
        ? html`<div class="text">↩ ${message.text ?? ''}</div>`
        : renderInteractive(message, content);
    default:
      return null;
  }
}

/** A business's reply buttons or list rows, as taps for the customer. */
function renderInteractive(message: ChatMessage, content: Record<string, unknown>): SafeHtml {
  const action = content['action'] as {
    buttons?: { reply: { id: string; title: string } }[];
    sections?: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
  };
  const choices =
    action.buttons?.map((button) => ({ ...button.reply, description: undefined as string | undefined })) ??
    action.sections?.flatMap((section) => section.rows) ??
    [];
  const header = (content['header'] as { text?: string } | undefined)?.text;
  const footer = (content['footer'] as { text?: string } | undefined)?.text;
  return html`${header ? html`<div class="tpl-header">${header}</div>` : ''}
    <div class="text">${message.text ?? ''}</div>
    ${footer ? html`<div class="tpl-footer muted">${footer}</div>` : ''}
    <div class="tpl-buttons">
      ${choices.map(
        (choice) =>
          html`<button type="button" class="secondary" data-interactive="${message.wamid}" data-choice="${choice.id}">
            ↩ ${choice.title}${choice.description ? html` <span class="muted">${choice.description}</span>` : ''}
          </button>`,
      )}
    </div>`;
}

function renderContent(message: ChatMessage): SafeHtml {
  const rich = renderRichContent(message);
  if (rich) return rich;
  const media = message.media;
  const mediaHtml = !media
    ? ''
    : media.mimeType?.startsWith('image') || message.type === 'image'
      ? html`<img
          class="photo"
          alt="${media.caption ?? 'Photo'}"
          src="${media.id ? `/whatsapp/phone/media/${media.id}` : (media.link ?? '')}"
        />`
      : html`<a class="doc" href="${media.id ? `/whatsapp/phone/media/${media.id}` : (media.link ?? '#')}"
          >📄 ${media.filename ?? 'Document'}</a
        >`;
  const template = message.template;
  if (template) {
    return html`${template.header ? html`<div class="tpl-header">${template.header}</div>` : ''}${mediaHtml}
      <div class="text">${message.text}</div>
      ${template.footer ? html`<div class="tpl-footer muted">${template.footer}</div>` : ''}
      <div class="tpl-buttons">
        ${template.buttons.map((button, index) =>
          button.type === 'QUICK_REPLY'
            ? html`<button type="button" class="secondary" data-button="${message.wamid}" data-index="${index}">
                ↩ ${button.text}
              </button>`
            : button.type === 'URL'
              ? html`<a class="button secondary-link" href="${button.url ?? '#'}" target="_blank" rel="noopener"
                  >↗ ${button.text}</a
                >`
              : html`<span class="muted">${button.text}</span>`,
        )}
      </div>`;
  }
  if (message.type === 'button' && message.button) {
    return html`<div class="text">↩ ${message.button.text}</div>`;
  }
  return html`${mediaHtml}${message.text !== null ? html`<div class="text">${message.text}</div>` : ''}`;
}

/** Ticks: on the customer's own messages (read = the business marked them read), and the sandbox's view of the business's. */
function renderStatus(message: ChatMessage): SafeHtml {
  if (message.direction === 'inbound') {
    return message.status === 'read'
      ? html`<span class="ticks read" title="Read by the business">✓✓</span>`
      : html`<span class="ticks" title="Delivered to the business">✓✓</span>`;
  }
  switch (message.status) {
    case 'accepted':
      return html`<span class="status">sending…</span>`;
    case 'sent':
      return html`<span class="status" title="Meta reported: sent">✓ sent</span>`;
    case 'delivered':
      return html`<span class="status" title="Meta reported: delivered">✓✓ delivered</span>`;
    case 'read':
      return html`<span class="status read" title="Meta reported: read">✓✓ read</span>`;
    case 'played':
      return html`<span class="status read" title="Meta reported: played">✓✓ played</span>`;
    default:
      return html`<span class="status bad" title="Only the sandbox shows this; the business got a failed status webhook"
        >✕ not delivered: (#${message.error?.code ?? ''}) ${message.error?.title ?? ''}</span
      >`;
  }
}

export const CHAT_STYLE = `
.phone-layout { display:grid; grid-template-columns: 300px 1fr; gap:16px; align-items:start; }
@media (max-width: 800px) { .phone-layout { grid-template-columns: 1fr; } }
.customers a { display:block; padding:8px 10px; border-radius:8px; text-decoration:none; color:var(--ink); }
.customers a[aria-current] { background:#e7f6ee; font-weight:600; }
.phone { max-width:460px; background:#efeae2; border-radius:24px; border:10px solid #1f2c34; overflow:hidden; }
.chat-head { background:var(--green-dark); color:#fff; padding:10px 14px; }
.chat-head .muted { color:#d1f4cc; }
.window { background:#fff8c5; padding:6px 12px; }
.bubbles { min-height:360px; max-height:60vh; overflow-y:auto; padding:12px; display:flex; flex-direction:column; gap:8px; }
.msg { max-width:82%; padding:6px 9px 4px; border-radius:8px; box-shadow:0 1px 1px rgba(0,0,0,.1); position:relative; }
.msg.in { background:#fff; align-self:flex-start; }
.msg.out { background:#d9fdd3; align-self:flex-end; }
.msg.pending { opacity:.6; }
.msg .text { white-space:pre-wrap; word-wrap:break-word; }
.msg .meta { font-size:11px; color:var(--muted); text-align:right; }
.msg .ticks.read, .msg .status.read { color:var(--blue); font-weight:600; }
.msg .status.bad { color:var(--danger); }
.msg .quote { border-left:4px solid var(--green); background:rgba(0,0,0,.05); padding:3px 6px; border-radius:4px; font-size:13px; margin-bottom:4px; }
.msg .reactions { position:absolute; bottom:-12px; right:8px; background:#fff; border-radius:10px; padding:0 5px; font-size:13px; box-shadow:0 1px 2px rgba(0,0,0,.2); }
.msg .actions { display:none; } .msg:hover .actions { display:block; }
.msg .photo { max-width:100%; border-radius:6px; display:block; }
.tpl-header { font-weight:700; } .tpl-footer { font-size:12px; }
.tpl-buttons { display:flex; flex-direction:column; gap:4px; margin-top:6px; }
.tpl-buttons button, .tpl-buttons .button { width:100%; text-align:center; }
.secondary-link { background:#fff; color:var(--green); border:1px solid var(--green); }
.composer { background:#f0f2f5; padding:8px; }
.composer .row { display:flex; gap:6px; }
.composer .tools { display:flex; gap:6px; flex-wrap:wrap; margin-top:8px; }
.composer .chip { display:inline-block; margin:0; background:#fff; color:var(--green); border:1px solid #d1d7db; border-radius:16px; padding:3px 10px; font-size:13px; cursor:pointer; }
.composer .screen { display:flex; gap:6px; align-items:center; margin:8px 0 0; }
.replying { display:none; font-size:13px; background:#fff; border-left:4px solid var(--green); padding:4px 8px; margin-bottom:6px; border-radius:4px; }
.toast { color:var(--danger); font-size:13px; min-height:1em; }
.badge { color:#25d366; }
`;
