import { createHash } from 'node:crypto';

/**
 * The day's WhatsApp transcript as the HTML of one or more Pipedrive notes (product.md §4.3).
 * Pure: the same messages always give the same parts, so an unchanged day costs no write.
 *
 * Size rule (pipedrive-platform.md §4.6: notes are about 100 KB at most, unconfirmed; the sandbox
 * refuses more than 100 KiB):
 * - a part holds at most `PART_LIMIT_BYTES` (90,000 bytes of UTF-8 HTML, header and footer
 *   included), leaving room below 100 KB for Pipedrive's own sanitizing;
 * - a single message's text is cut to `MESSAGE_TEXT_LIMIT_BYTES` (48,000 bytes once escaped) and
 *   ends with "… (truncated)" (reliability.md B15): a 10,000-character message fits in full, a 64 KB
 *   one is truncated, never split across notes;
 * - messages fill parts in order; the message that would overflow a part opens the next one, headed
 *   "(continued, part N)". Where a message lands depends only on what never changes (time, sender,
 *   text, media), with a fixed reserve for what does (ticks, failure, reactions), so a late status
 *   or reaction never moves a message to another note.
 */
export const PART_LIMIT_BYTES = 90_000;
export const MESSAGE_TEXT_LIMIT_BYTES = 48_000;
/**
 * Room kept per message for the parts that change, at least their largest rendering: reactions
 * (4 kinds of at most 8 code points, escaped, with counts) on any message, and ticks or the failure
 * reason (60 characters, escaped) on what Parley sent.
 */
const REACTIONS_RESERVE_BYTES = 240;
const DELIVERY_RESERVE_BYTES = 400;
const MAX_REACTION_KINDS = 4;
const MAX_ERROR_CHARS = 60;
const QUOTE_CHARS = 80;
const TRUNCATED = '… (truncated)';

export interface TranscriptMessage {
  id: string;
  providerMessageId: string | null;
  direction: 'inbound' | 'outbound';
  type: string;
  body: string | null;
  media: Record<string, unknown> | null;
  context: Record<string, unknown> | null;
  content: Record<string, unknown> | null;
  status: string;
  error: { code: number | string; title: string; detail?: string } | null;
  /** The contact's name for inbound; the Parley member, Pipedrive user or business number for outbound. */
  senderName: string;
  sentAt: Date;
}

export interface TranscriptInput {
  /** Stable reference of this chat-day: carried in every part so a retried create finds its note. */
  reference: string;
  day: string;
  contactLabel: string;
  channelLabel: string;
  /** The day's messages, in order. */
  messages: TranscriptMessage[];
  /** Messages of other days that the day's replies and reactions point at (by provider id). */
  earlier: Map<string, TranscriptMessage>;
  /** Parley's link to a message's stored media. */
  mediaUrl: (messageId: string) => string;
}

export interface TranscriptPart {
  part: number;
  html: string;
  /** SHA-256 of the HTML: what Parley last wrote, to skip identical writes. */
  hash: string;
  /** The last message this part shows. */
  lastMessageId: string;
  messageCount: number;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('\u0000', '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The marker line every part ends with; `findMarker` looks for `partReference` in a note. */
export function partReference(reference: string, part: number): string {
  return `${reference}/part-${part}`;
}

export function renderTranscript(input: TranscriptInput): TranscriptPart[] {
  const byProviderId = new Map(input.earlier);
  for (const message of input.messages)
    if (message.providerMessageId !== null) byProviderId.set(message.providerMessageId, message);
  const reactions = collectReactions(input.messages, byProviderId);

  const lines: { message: TranscriptMessage; stable: string; html: string }[] = [];
  for (const message of input.messages) {
    if (message.type === 'reaction' && reactions.attached.has(message.id)) continue;
    const stable = renderStableLine(message, byProviderId, input.mediaUrl);
    const volatile = renderVolatile(message, reactions.byTarget.get(message.providerMessageId ?? '') ?? []);
    lines.push({ message, stable: `<div>${stable}</div>`, html: `<div>${stable}${volatile}</div>` });
  }

  const groups: (typeof lines)[] = [];
  let current: typeof lines = [];
  let size = frameBytes(input, 99);
  for (const line of lines) {
    const lineBytes =
      Buffer.byteLength(line.stable, 'utf8') +
      REACTIONS_RESERVE_BYTES +
      (line.message.direction === 'outbound' ? DELIVERY_RESERVE_BYTES : 0);
    if (current.length > 0 && size + lineBytes > PART_LIMIT_BYTES) {
      groups.push(current);
      current = [];
      size = frameBytes(input, 99);
    }
    current.push(line);
    size += lineBytes;
  }
  if (current.length > 0) groups.push(current);

  return groups.map((group, index) => {
    const part = index + 1;
    const html = `${header(input, part)}${group.map((line) => line.html).join('')}${footer(input, part)}`;
    const last = group.at(-1)?.message;
    return {
      part,
      html,
      hash: createHash('sha256').update(html).digest('hex'),
      lastMessageId: last?.id ?? '',
      messageCount: group.length,
    };
  });
}

function header(input: TranscriptInput, part: number): string {
  const continued = part > 1 ? ` (continued, part ${part})` : '';
  return (
    `<p><b>WhatsApp · ${escapeHtml(input.contactLabel)} · ${input.day}${continued}</b><br>` +
    `<small>${escapeHtml(input.channelLabel)} · times in UTC</small></p>`
  );
}

function footer(input: TranscriptInput, part: number): string {
  const reference = escapeHtml(partReference(input.reference, part));
  return `<p data-parley-transcript="${reference}"><small>Synced by Parley · ref ${reference}</small></p>`;
}

function frameBytes(input: TranscriptInput, part: number): number {
  return Buffer.byteLength(header(input, part) + footer(input, part), 'utf8');
}

function renderStableLine(
  message: TranscriptMessage,
  byProviderId: Map<string, TranscriptMessage>,
  mediaUrl: (messageId: string) => string,
): string {
  const time = message.sentAt.toISOString().slice(11, 16);
  const quote = renderQuote(message, byProviderId);
  return `${quote}<small>${time}</small> <b>${escapeHtml(message.senderName)}</b>: ${renderBody(message, byProviderId, mediaUrl)}`;
}

/** A reply quotes the start of the message it answers. */
function renderQuote(message: TranscriptMessage, byProviderId: Map<string, TranscriptMessage>): string {
  if (message.type === 'reaction') return '';
  const repliedTo = replyTarget(message);
  if (repliedTo === undefined) return '';
  const original = byProviderId.get(repliedTo);
  const quoted = original === undefined ? 'an earlier message' : `${original.senderName}: ${summary(original)}`;
  return `<blockquote>↩ ${escapeHtml(shorten(quoted, QUOTE_CHARS))}</blockquote>`;
}

function renderBody(
  message: TranscriptMessage,
  byProviderId: Map<string, TranscriptMessage>,
  mediaUrl: (messageId: string) => string,
): string {
  const media = MEDIA_LABELS[message.type];
  if (media !== undefined) {
    const isVoice = message.type === 'voice' || message.media?.['voice'] === true;
    const filename = stringField(message.media, 'filename');
    const label = isVoice ? 'Voice message' : filename !== undefined ? `${media}: ${filename}` : media;
    const caption = message.body ?? stringField(message.media, 'caption');
    const link = `<a href="${escapeHtml(mediaUrl(message.id))}">${escapeHtml(label)}</a>`;
    return caption === undefined || caption === null || caption === '' ? link : `${link} ${text(caption)}`;
  }
  switch (message.type) {
    case 'location':
      return renderLocation(message);
    case 'reaction': {
      // A reaction whose message is not in this transcript: say what it reacted to.
      const target = byProviderId.get(reactionTarget(message) ?? '');
      const emoji = reactionEmoji(message);
      const what = target === undefined ? 'an earlier message' : `"${shorten(summary(target), QUOTE_CHARS)}"`;
      return escapeHtml(emoji === '' ? `removed a reaction to ${what}` : `reacted ${emoji} to ${what}`);
    }
    case 'contacts':
      return escapeHtml(`Shared contact: ${contactNames(message) || 'a contact card'}`);
    case 'unsupported':
      return '<i>(a message type WhatsApp does not deliver to apps)</i>';
    default:
      return message.body === null || message.body === ''
        ? `<i>(${escapeHtml(message.type)} message)</i>`
        : text(message.body);
  }
}

const MEDIA_LABELS: Record<string, string> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Audio',
  voice: 'Voice message',
  document: 'Document',
  sticker: 'Sticker',
};

function renderLocation(message: TranscriptMessage): string {
  const location = isRecord(message.content?.['location']) ? message.content['location'] : message.content;
  const latitude = Number(location?.['latitude']);
  const longitude = Number(location?.['longitude']);
  const name = [stringField(location, 'name'), stringField(location, 'address')].filter(Boolean).join(', ');
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return escapeHtml(`📍 ${name || 'Location'}`);
  const url = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
  return `📍 <a href="${escapeHtml(url)}">${escapeHtml(name || `${latitude}, ${longitude}`)}</a>`;
}

/** Ticks for what Parley sent (✓ sent, ✓✓ delivered, ✓✓ read), or the failure in words. */
function renderVolatile(message: TranscriptMessage, reactions: Reaction[]): string {
  let html = '';
  if (message.direction === 'outbound') {
    if (message.status === 'failed') {
      const reason = message.error?.title ?? 'unknown error';
      html += ` <i>⚠ not delivered: ${escapeHtml(shorten(reason, MAX_ERROR_CHARS))}</i>`;
    } else {
      html += { accepted: ' 🕓', sent: ' ✓', delivered: ' ✓✓', read: ' ✓✓ read' }[message.status] ?? '';
    }
  }
  if (reactions.length > 0) {
    const counts = new Map<string, number>();
    for (const reaction of reactions) counts.set(reaction.emoji, (counts.get(reaction.emoji) ?? 0) + 1);
    const shown = [...counts.entries()]
      .slice(0, MAX_REACTION_KINDS)
      .map(([emoji, count]) => (count > 1 ? `${shorten(emoji, 8)} ${count}` : shorten(emoji, 8)));
    html += ` <small>[${escapeHtml(shown.join(' '))}]</small>`;
  }
  return html;
}

interface Reaction {
  emoji: string;
  sender: string;
}

/**
 * The reactions standing on each message (by its provider id): a sender's latest reaction wins, and
 * one without an emoji takes theirs away (Meta's removal). Reactions whose message is in the day are
 * shown on it (`attached`); the others get a line of their own.
 */
function collectReactions(messages: TranscriptMessage[], byProviderId: Map<string, TranscriptMessage>) {
  const latest = new Map<string, Map<string, Reaction>>();
  const attached = new Set<string>();
  const dayIds = new Set(messages.map((message) => message.providerMessageId).filter((id) => id !== null));
  for (const message of messages) {
    if (message.type !== 'reaction') continue;
    const target = reactionTarget(message);
    if (target === undefined || !dayIds.has(target) || !byProviderId.has(target)) continue;
    attached.add(message.id);
    const bySender = latest.get(target) ?? new Map<string, Reaction>();
    bySender.set(`${message.direction}:${message.senderName}`, {
      emoji: reactionEmoji(message),
      sender: message.senderName,
    });
    latest.set(target, bySender);
  }
  const byTarget = new Map<string, Reaction[]>();
  for (const [target, bySender] of latest)
    byTarget.set(
      target,
      [...bySender.values()].filter((reaction) => reaction.emoji !== ''),
    );
  return { byTarget, attached };
}

/**
 * The provider id of the message a reply answers: `context.replyTo` as ingestion stores it (Meta's
 * `context.id`, also accepted as such).
 */
export function replyTarget(message: Pick<TranscriptMessage, 'context'>): string | undefined {
  return stringField(message.context, 'replyTo') ?? stringField(message.context, 'id');
}

/** The provider id of the message a reaction is on (`content.messageId`, or Meta's `message_id`). */
export function reactionTarget(message: Pick<TranscriptMessage, 'content' | 'context'>): string | undefined {
  return (
    stringField(message.content, 'messageId') ??
    stringField(message.content, 'message_id') ??
    stringField(message.context, 'reactionTo')
  );
}

function reactionEmoji(message: TranscriptMessage): string {
  return stringField(message.content, 'emoji') ?? message.body ?? '';
}

function contactNames(message: TranscriptMessage): string {
  const list = message.content?.['contacts'];
  if (!Array.isArray(list)) return message.body ?? '';
  return list
    .map((entry: unknown) =>
      isRecord(entry) && isRecord(entry['name']) ? stringField(entry['name'], 'formatted_name') : undefined,
    )
    .filter(Boolean)
    .join(', ');
}

/** One line of what a message said, for quotes. */
function summary(message: TranscriptMessage): string {
  if (message.body !== null && message.body !== '') return message.body.replace(/\s+/g, ' ');
  return MEDIA_LABELS[message.type] ?? `(${message.type})`;
}

/** Message text: escaped, line breaks kept, cut to the message limit with a "(truncated)" marker. */
function text(raw: string): string {
  const escaped = escapeHtml(raw);
  if (Buffer.byteLength(escaped, 'utf8') <= MESSAGE_TEXT_LIMIT_BYTES) return escaped.replace(/\r?\n/g, '<br>');
  // Cut the source (not the escaped text, so no entity is broken) at a code point boundary.
  const codePoints = Array.from(raw);
  let low = 0;
  let high = codePoints.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const size = Buffer.byteLength(escapeHtml(codePoints.slice(0, middle).join('')), 'utf8');
    if (size <= MESSAGE_TEXT_LIMIT_BYTES - TRUNCATED.length * 3) low = middle;
    else high = middle - 1;
  }
  return `${escapeHtml(codePoints.slice(0, low).join('')).replace(/\r?\n/g, '<br>')}<i>${TRUNCATED}</i>`;
}

function shorten(value: string, maxChars: number): string {
  const codePoints = Array.from(value);
  return codePoints.length <= maxChars ? value : `${codePoints.slice(0, maxChars).join('')}…`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown> | null | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
