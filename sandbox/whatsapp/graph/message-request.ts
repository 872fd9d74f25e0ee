import type { MediaRef } from '../records.ts';
import { BSUID_PATTERN } from '../chat/identity.ts';
import { toDigits } from '../phone-numbers.ts';
import type { WhatsAppState } from '../state.ts';
import { graphErrors } from './graph-errors.ts';
import { parseContacts, parseInteractive, parseLocation } from './message-content.ts';
import { validateTemplateSend, type RenderedTemplate } from './template-validation.ts';

/** A validated POST /{phone-number-id}/messages body. */
export type SendRequest =
  | { kind: 'read'; messageId: string }
  | {
      kind: 'message';
      /** `to` (or `recipient`) exactly as sent (echoed as contacts[0].input). */
      to: string;
      /** Digits of `to`; empty when the message is addressed by business-scoped user id. */
      toDigits: string;
      /** `recipient`: a business-scoped user id (customers known only by username). */
      recipientUserId: string | null;
      /**
       * A BSUID put in `to` instead of `recipient`: Meta answers 200 with a wamid and silently
       * drops the message (whatsapp-cloud-api.md §1.2), so no status ever follows.
       */
      dropSilently: boolean;
      type: OutboundType;
      text: string | null;
      media: MediaRef | null;
      /** The type's own object for location, contacts and interactive messages (as the phone shows it). */
      content: Record<string, unknown> | Record<string, unknown>[] | null;
      reaction: { messageId: string; emoji: string } | null;
      template: RenderedTemplate | null;
      contextId: string | null;
      bizOpaqueCallbackData: string | null;
    };

export type OutboundType =
  | 'text'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'reaction'
  | 'template';
type MediaType = 'image' | 'audio' | 'video' | 'document' | 'sticker';

const KNOWN_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'template',
  'reaction',
];

type Body = Record<string, unknown>;

/** Validates a send request with Meta's rules and error codes (whatsapp-cloud-api.md §1.2–1.3, §1.7). */
export function parseSendRequest(state: WhatsAppState, wabaId: string, input: unknown): SendRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw graphErrors.requiredParameter('messaging_product');
  }
  const body = input as Body;
  if (body['messaging_product'] === undefined) throw graphErrors.requiredParameter('messaging_product');
  if (body['messaging_product'] !== 'whatsapp')
    throw graphErrors.invalidParameter('messaging_product must be whatsapp');
  if (body['status'] !== undefined) {
    if (body['status'] !== 'read') throw graphErrors.invalidParameter('status must be read');
    if (typeof body['message_id'] !== 'string') throw graphErrors.requiredParameter('message_id');
    return { kind: 'read', messageId: body['message_id'] };
  }
  const recipientType = body['recipient_type'] ?? 'individual';
  if (recipientType !== 'individual') {
    throw graphErrors.invalidParameter('recipient_type: the sandbox emulates individual recipients only');
  }
  const { to, digits, recipientUserId, dropSilently } = parseAddress(body);
  const type = body['type'] ?? 'text';
  if (typeof type !== 'string' || !KNOWN_TYPES.includes(type)) {
    throw graphErrors.invalidParameter(`Param type must be one of {${KNOWN_TYPES.join(', ')}}`);
  }
  const base = {
    kind: 'message' as const,
    to,
    toDigits: digits,
    recipientUserId,
    dropSilently,
    text: null,
    media: null,
    content: null,
    reaction: null,
    template: null,
    contextId: parseContext(body['context']),
    bizOpaqueCallbackData: parseTracker(body['biz_opaque_callback_data']),
  };
  switch (type) {
    case 'text':
      return { ...base, type, text: parseText(body['text']) };
    case 'image':
    case 'document':
    case 'video':
    case 'audio':
    case 'sticker':
      return { ...base, type, media: parseMedia(state, wabaId, type, body[type]), text: captionOf(body[type]) };
    case 'location':
      return { ...base, type, content: parseLocation(body['location']) };
    case 'contacts':
      return { ...base, type, content: parseContacts(body['contacts']) };
    case 'interactive': {
      const interactive = parseInteractive(body['interactive']);
      return { ...base, type, content: interactive, text: (interactive['body'] as { text: string }).text };
    }
    case 'reaction':
      return { ...base, type, reaction: parseReaction(body['reaction']) };
    case 'template': {
      const template = validateTemplateSend(state, wabaId, body['template']);
      return { ...base, type, template, text: template.body, media: template.headerMedia };
    }
    default:
      throw graphErrors.invalidParameter(`Param type must be one of {${KNOWN_TYPES.join(', ')}}`);
  }
}

/** `to` (a phone number) or `recipient` (a business-scoped user id), exactly one. */
function parseAddress(body: Body) {
  const to = body['to'];
  const recipient = body['recipient'];
  if (to !== undefined && recipient !== undefined) {
    throw graphErrors.invalidParameter('Provide either to or recipient, not both');
  }
  if (recipient !== undefined) {
    if (typeof recipient !== 'string' || !BSUID_PATTERN.test(recipient)) {
      throw graphErrors.invalidParameter(
        `recipient (${JSON.stringify(recipient)}) is not a valid business-scoped user id`,
      );
    }
    return { to: recipient, digits: '', recipientUserId: recipient, dropSilently: false };
  }
  if (typeof to !== 'string' || to === '') throw graphErrors.requiredParameter('to');
  if (BSUID_PATTERN.test(to)) return { to, digits: '', recipientUserId: null, dropSilently: true };
  const digits = toDigits(to);
  if (!digits) throw graphErrors.invalidParameter(`The recipient phone number (${to}) is not a valid phone number`);
  return { to, digits, recipientUserId: null, dropSilently: false };
}

function parseText(input: unknown): string {
  const text = input as Body | undefined;
  const value = text?.['body'];
  if (typeof value !== 'string' || value === '') throw graphErrors.requiredParameter("text['body']");
  if (value.length > 4096) throw graphErrors.textTooLong();
  if (text?.['preview_url'] !== undefined && typeof text['preview_url'] !== 'boolean') {
    throw graphErrors.invalidParameter("text['preview_url'] must be a boolean");
  }
  return value;
}

/** What Meta assumes for a media sent by link (the sandbox never fetches links). */
const LINK_MIME_TYPES: Record<MediaType, string> = {
  image: 'image/jpeg',
  document: 'application/pdf',
  audio: 'audio/ogg',
  video: 'video/mp4',
  sticker: 'image/webp',
};
/** Media types each message type accepts (whatsapp-cloud-api.md §1.6). */
const ACCEPTED_MIME_TYPES: Record<MediaType, (mime: string) => boolean> = {
  image: (mime) => ['image/jpeg', 'image/png'].includes(mime),
  document: () => true,
  audio: (mime) => ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'].includes(mime),
  video: (mime) => ['video/mp4', 'video/3gpp'].includes(mime),
  sticker: (mime) => mime === 'image/webp',
};

function parseMedia(state: WhatsAppState, wabaId: string, type: MediaType, input: unknown): MediaRef {
  const media = input as Body | undefined;
  if (typeof media !== 'object' || media === null) throw graphErrors.requiredParameter(type);
  const link = media['link'];
  const id = media['id'];
  if (typeof link === 'string') {
    if (!/^https?:\/\//.test(link)) throw graphErrors.invalidParameter(`${type}['link'] must be an http(s) URL`);
  } else if (typeof id === 'string') {
    // A media id works for the WABA whose number uploaded or received it.
    const owner = state.media.get(id);
    if (!owner || state.phones.get(owner.phoneNumberId)?.wabaId !== wabaId)
      throw graphErrors.invalidMessageParameter(`${type}['id'] (${id}) is not a valid media id`);
  } else {
    throw graphErrors.requiredMessageParameter(`Param ${type} must have either a link or an id`);
  }
  const caption = media['caption'];
  if (caption !== undefined && (type === 'audio' || type === 'sticker')) {
    throw graphErrors.invalidParameter(`${type} messages take no caption`);
  }
  if (caption !== undefined && (typeof caption !== 'string' || caption.length > 1024)) {
    throw graphErrors.invalidParameter(`${type}['caption'] must be a string of at most 1024 characters`);
  }
  const filename = media['filename'];
  const stored = typeof id === 'string' ? state.media.get(id) : undefined;
  if (stored && !ACCEPTED_MIME_TYPES[type](stored.mimeType)) {
    throw graphErrors.invalidMessageParameter(
      `${type}['id'] (${stored.id}) is ${stored.mimeType}, not a valid ${type}`,
    );
  }
  return {
    ...(typeof link === 'string' ? { link } : { id: id as string }),
    mimeType: stored?.mimeType ?? LINK_MIME_TYPES[type],
    ...(typeof filename === 'string' ? { filename } : {}),
    ...(typeof caption === 'string' ? { caption } : {}),
  };
}

function captionOf(input: unknown): string | null {
  const caption = (input as Body | undefined)?.['caption'];
  return typeof caption === 'string' ? caption : null;
}

function parseReaction(input: unknown): { messageId: string; emoji: string } {
  const reaction = input as Body | undefined;
  const messageId = reaction?.['message_id'];
  const emoji = reaction?.['emoji'];
  if (typeof messageId !== 'string' || messageId === '') throw graphErrors.requiredParameter("reaction['message_id']");
  // An empty emoji removes an earlier reaction.
  if (typeof emoji !== 'string' || [...emoji].length > 8)
    throw graphErrors.invalidParameter("reaction['emoji'] must be one emoji");
  return { messageId, emoji };
}

function parseContext(input: unknown): string | null {
  if (input === undefined) return null;
  const messageId = (input as Body | null)?.['message_id'];
  if (typeof messageId !== 'string' || messageId === '') throw graphErrors.requiredParameter("context['message_id']");
  return messageId;
}

function parseTracker(input: unknown): string | null {
  if (input === undefined) return null;
  if (typeof input !== 'string' || input.length > 512) {
    throw graphErrors.invalidParameter('biz_opaque_callback_data must be a string of at most 512 characters');
  }
  return input;
}
