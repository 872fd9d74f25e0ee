/**
 * Turns one Cloud API inbound message into what Parley stores (whatsapp-cloud-api.md §2.3): a type,
 * a human-readable body, media metadata, reply context, type-specific content and errors. Every type
 * Meta sends is kept; types Parley does not know are stored with their raw content.
 */
type Json = Record<string, unknown>;

export interface StoredInbound {
  type: string;
  body: string | null;
  media: Json | null;
  context: Json | null;
  content: Json | null;
  error: { code: number | string; title: string; detail?: string } | null;
  sentAt: Date;
}

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);
export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** A provider error object in Parley's shape, with the words Meta gave. */
export function errorOf(value: unknown): StoredInbound['error'] {
  if (!isObject(value)) return null;
  const code = typeof value['code'] === 'number' || typeof value['code'] === 'string' ? value['code'] : 'unknown';
  const details = isObject(value['error_data']) ? text(value['error_data']['details']) : null;
  const title = text(value['title']) ?? text(value['message']) ?? 'Unknown error';
  return { code, title, ...(details === null ? {} : { detail: details }) };
}

function timestampOf(message: Json): Date {
  const seconds = Number(message['timestamp']);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
}

function contextOf(message: Json): Json | null {
  const context = isObject(message['context']) ? message['context'] : null;
  const referral = isObject(message['referral']) ? message['referral'] : null;
  const groupId = text(message['group_id']);
  const result: Json = {
    ...(context !== null && text(context['id']) !== null ? { replyTo: context['id'] } : {}),
    ...(context !== null && text(context['from']) !== null ? { replyToFrom: context['from'] } : {}),
    ...(context?.['forwarded'] === true ? { forwarded: true } : {}),
    ...(context?.['frequently_forwarded'] === true ? { frequentlyForwarded: true } : {}),
    ...(referral === null ? {} : { referral }),
    // In a group the chat is the group; who wrote is kept here.
    ...(groupId === null
      ? {}
      : { participant: { waId: text(message['from']), userId: text(message['from_user_id']) } }),
  };
  return Object.keys(result).length === 0 ? null : result;
}

function contactsSummary(list: unknown): string | null {
  if (!Array.isArray(list)) return null;
  const names = list.flatMap((entry) => {
    if (!isObject(entry)) return [];
    const name = isObject(entry['name']) ? text(entry['name']['formatted_name']) : null;
    const phones = Array.isArray(entry['phones'])
      ? entry['phones'].flatMap((phone) => {
          const number = isObject(phone) ? text(phone['phone']) : null;
          return number === null ? [] : [number];
        })
      : [];
    return [[name, ...phones].filter((part): part is string => part !== null).join(' ')];
  });
  return names.length === 0 ? null : names.join(', ');
}

export function mapInboundMessage(message: Json): StoredInbound {
  const type = text(message['type']) ?? 'unknown';
  const payload = isObject(message[type]) ? message[type] : null;
  const base = {
    type,
    media: null,
    context: contextOf(message),
    content: null,
    error: Array.isArray(message['errors']) ? errorOf(message['errors'][0]) : null,
    sentAt: timestampOf(message),
  };

  if (type === 'text') return { ...base, body: text(payload?.['body']) };
  if (MEDIA_TYPES.has(type) && payload !== null) {
    return {
      ...base,
      body: text(payload['caption']),
      media: {
        id: text(payload['id']),
        mimeType: text(payload['mime_type']),
        sha256: text(payload['sha256']),
        ...(text(payload['filename']) === null ? {} : { filename: text(payload['filename']) }),
        ...(payload['voice'] === true ? { voice: true } : {}),
        ...(payload['animated'] === true ? { animated: true } : {}),
        /** Set by the media job: stored, too_large, failed. */
        state: 'pending',
      },
    };
  }
  if (type === 'location' && payload !== null) {
    const label = [text(payload['name']), text(payload['address'])].filter((part) => part !== null).join(', ');
    return { ...base, body: label === '' ? null : label, content: payload };
  }
  if (type === 'contacts')
    return { ...base, body: contactsSummary(message['contacts']), content: { contacts: message['contacts'] } };
  if (type === 'interactive' && payload !== null) {
    const reply = isObject(payload['button_reply'])
      ? payload['button_reply']
      : isObject(payload['list_reply'])
        ? payload['list_reply']
        : isObject(payload['nfm_reply'])
          ? payload['nfm_reply']
          : null;
    const title = reply === null ? null : (text(reply['title']) ?? text(reply['body']));
    return { ...base, body: title, content: payload };
  }
  if (type === 'button' && payload !== null) return { ...base, body: text(payload['text']), content: payload };
  if (type === 'reaction' && payload !== null) {
    // A removed reaction arrives without `emoji` (or with an empty one).
    const emoji = text(payload['emoji']);
    return {
      ...base,
      body: emoji,
      context: { ...(base.context ?? {}), reactionTo: text(payload['message_id']) },
      content: { messageId: text(payload['message_id']), emoji, removed: emoji === null },
    };
  }
  if (type === 'order' && payload !== null) return { ...base, body: text(payload['text']), content: payload };
  if (type === 'system' && payload !== null) return { ...base, body: text(payload['body']), content: payload };
  if (type === 'unsupported')
    return {
      ...base,
      body: null,
      content: payload,
      error: base.error ?? { code: 131051, title: 'Message type unknown' },
    };
  return { ...base, body: null, content: payload };
}
