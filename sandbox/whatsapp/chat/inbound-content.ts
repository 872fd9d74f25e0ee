import { createHash } from 'node:crypto';
import { createNumericId } from '../ids.ts';
import type { BusinessPhone, ChatMessage, Customer, MediaObject } from '../records.ts';
import {
  SAMPLE_AUDIO,
  SAMPLE_DOCUMENT,
  SAMPLE_IMAGE,
  SAMPLE_STICKER,
  SAMPLE_VIDEO,
  SAMPLE_VOICE,
  type SampleFile,
} from '../sample-media.ts';
import type { WhatsAppState } from '../state.ts';
import type { ChatDeps } from './chat-deps.ts';
import { CustomerInputError, findInChat, type CustomerFile, type CustomerMessageInput } from './customer-input.ts';

/**
 * What each kind of customer message looks like in the webhook (whatsapp-cloud-api.md §2.3):
 * fills the stored message and returns the type-specific fields of `messages[]`.
 */
type MediaKind = 'image' | 'document' | 'audio' | 'voice' | 'video' | 'sticker';

export const MESSAGE_KINDS = [
  'text',
  'image',
  'document',
  'audio',
  'voice',
  'video',
  'sticker',
  'location',
  'contacts',
  'reaction',
  'buttonReply',
  'interactiveReply',
  'unsupported',
] as const;

const SAMPLES: Record<MediaKind, SampleFile> = {
  image: SAMPLE_IMAGE,
  document: SAMPLE_DOCUMENT,
  audio: SAMPLE_AUDIO,
  voice: SAMPLE_VOICE,
  video: SAMPLE_VIDEO,
  sticker: SAMPLE_STICKER,
};
const MB = 1024 * 1024;
const RULES: Record<MediaKind, { types: string[] | null; label: string; maxBytes: number }> = {
  image: { types: ['image/jpeg', 'image/png'], label: 'JPEG or PNG', maxBytes: 5 * MB },
  document: { types: null, label: 'any file', maxBytes: 100 * MB },
  audio: {
    types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
    label: 'AAC, AMR, MP3, M4A or OGG',
    maxBytes: 16 * MB,
  },
  voice: { types: ['audio/ogg'], label: 'OGG (Opus)', maxBytes: 16 * MB },
  video: { types: ['video/mp4', 'video/3gpp'], label: 'MP4 or 3GP', maxBytes: 16 * MB },
  sticker: { types: ['image/webp'], label: 'WebP', maxBytes: 500 * 1024 },
};

export function describeContent(
  deps: ChatDeps,
  phone: BusinessPhone,
  customer: Customer,
  input: CustomerMessageInput,
  message: ChatMessage,
): Record<string, unknown> {
  const { state } = deps;
  if (input.text !== undefined) {
    if (input.text.trim() === '') throw new CustomerInputError('the message is empty');
    message.text = input.text;
    return { type: 'text', text: { body: input.text } };
  }
  if (input.reaction) {
    findInChat(state, phone, customer, input.reaction.messageId);
    message.type = 'reaction';
    message.reaction = { ...input.reaction };
    // Removing a reaction sends the reaction object without `emoji`.
    const emoji = input.reaction.emoji === '' ? {} : { emoji: input.reaction.emoji };
    return { type: 'reaction', reaction: { message_id: input.reaction.messageId, ...emoji } };
  }
  if (input.buttonReply) return describeButton(state, input.buttonReply, message);
  if (input.interactiveReply) return describeInteractiveReply(state, phone, customer, input.interactiveReply, message);
  if (input.location) return describeLocation(input.location, message);
  if (input.contacts) return describeContacts(input.contacts, message);
  if (input.unsupported !== undefined) return describeUnsupported(message);
  const kind = (['image', 'document', 'audio', 'voice', 'video', 'sticker'] as const).find(
    (k) => input[k] !== undefined,
  );
  if (!kind) throw new CustomerInputError('nothing to send');
  return describeMedia(state, phone, kind, input[kind] as (CustomerFile & { animated?: boolean }) | true, message);
}

function describeMedia(
  state: WhatsAppState,
  phone: BusinessPhone,
  kind: MediaKind,
  file: (CustomerFile & { animated?: boolean }) | true,
  message: ChatMessage,
): Record<string, unknown> {
  const given = file === true ? {} : file;
  const media = storeMedia(state, phone, kind, given);
  // Only images, videos and documents carry captions on WhatsApp.
  const caption = ['image', 'video', 'document'].includes(kind) ? given.caption : undefined;
  const type = kind === 'voice' ? 'audio' : kind;
  message.type = type;
  message.text = caption ?? null;
  message.media = {
    id: media.id,
    mimeType: media.mimeType,
    ...(media.filename && kind === 'document' ? { filename: media.filename } : {}),
    ...(caption ? { caption } : {}),
    ...(kind === 'voice' ? { voice: true } : {}),
  };
  return {
    type,
    [type]: {
      ...(caption ? { caption } : {}),
      ...(kind === 'document' ? { filename: media.filename } : {}),
      // Voice notes are Opus in Ogg and say so (captured payloads: "audio/ogg; codecs=opus").
      mime_type: kind === 'voice' ? 'audio/ogg; codecs=opus' : media.mimeType,
      sha256: createHash('sha256').update(media.bytes).digest('base64'),
      id: media.id,
      ...(type === 'audio' ? { voice: kind === 'voice' } : {}),
      ...(kind === 'sticker' ? { animated: given.animated === true } : {}),
    },
  };
}

function describeLocation(location: NonNullable<CustomerMessageInput['location']>, message: ChatMessage) {
  const { latitude, longitude } = location;
  if (
    !Number.isFinite(latitude) ||
    Math.abs(latitude) > 90 ||
    !Number.isFinite(longitude) ||
    Math.abs(longitude) > 180
  ) {
    throw new CustomerInputError('a location needs a latitude (±90) and a longitude (±180)');
  }
  const content = {
    latitude,
    longitude,
    ...(location.name ? { name: location.name } : {}),
    ...(location.address ? { address: location.address } : {}),
  };
  message.type = 'location';
  message.content = content;
  message.text = location.name ?? null;
  return { type: 'location', location: content };
}

function describeContacts(contacts: NonNullable<CustomerMessageInput['contacts']>, message: ChatMessage) {
  if (contacts.length === 0 || contacts.some((contact) => contact.name.trim() === '')) {
    throw new CustomerInputError('share at least one contact, each with a name');
  }
  const cards = contacts.map((contact) => {
    const [first, ...rest] = contact.name.trim().split(/\s+/);
    const digits = contact.phone?.replace(/\D/g, '');
    return {
      name: {
        formatted_name: contact.name.trim(),
        first_name: first,
        ...(rest.length ? { last_name: rest.join(' ') } : {}),
      },
      ...(contact.phone
        ? { phones: [{ phone: contact.phone, type: 'CELL', ...(digits ? { wa_id: digits } : {}) }] }
        : {}),
      ...(contact.email ? { emails: [{ email: contact.email, type: 'HOME' }] } : {}),
    };
  });
  message.type = 'contacts';
  message.content = cards;
  message.text = cards.map((card) => card.name.formatted_name).join(', ');
  return { type: 'contacts', contacts: cards };
}

/** A message WhatsApp cannot pass on (e.g. a poll or a view-once photo): type `unsupported` with its errors. */
function describeUnsupported(message: ChatMessage) {
  const errors = [
    {
      code: 131051,
      title: 'Message type unknown',
      message: 'Message type unknown',
      error_data: { details: 'Message type is currently not supported.' },
    },
  ];
  message.type = 'unsupported';
  message.content = { errors };
  return { type: 'unsupported', errors };
}

function describeButton(
  state: WhatsAppState,
  reply: { messageId: string; index: number },
  message: ChatMessage,
): Record<string, unknown> {
  const template = state.messages.get(reply.messageId);
  const button = template?.template?.buttons[reply.index];
  if (!button || button.type !== 'QUICK_REPLY') {
    throw new CustomerInputError(`message ${reply.messageId} has no quick-reply button at index ${reply.index}`);
  }
  const payload = button.payload ?? button.text;
  message.type = 'button';
  message.text = button.text;
  message.button = { payload, text: button.text };
  return { type: 'button', button: { payload, text: button.text } };
}

/** A tap on a reply button or a list row of an interactive message the business sent. */
function describeInteractiveReply(
  state: WhatsAppState,
  phone: BusinessPhone,
  customer: Customer,
  reply: { messageId: string; id: string },
  message: ChatMessage,
): Record<string, unknown> {
  const sent = findInChat(state, phone, customer, reply.messageId);
  const interactive =
    sent.direction === 'outbound' && sent.type === 'interactive' ? (sent.content as unknown as Interactive) : null;
  if (!interactive) throw new CustomerInputError(`message ${reply.messageId} is not an interactive message`);
  const choice =
    interactive.type === 'button'
      ? interactive.action.buttons?.map((button) => button.reply).find((button) => button.id === reply.id)
      : interactive.action.sections?.flatMap((section) => section.rows).find((row) => row.id === reply.id);
  if (!choice) throw new CustomerInputError(`message ${reply.messageId} offers no choice "${reply.id}"`);
  const kind = interactive.type === 'button' ? 'button_reply' : 'list_reply';
  const content = { type: kind, [kind]: { ...choice } };
  message.type = 'interactive';
  message.text = choice.title;
  message.content = content;
  return { type: 'interactive', interactive: content };
}

interface Interactive {
  type: 'button' | 'list';
  action: {
    buttons?: { reply: { id: string; title: string } }[];
    sections?: { rows: { id: string; title: string; description?: string }[] }[];
  };
}

function storeMedia(state: WhatsAppState, phone: BusinessPhone, kind: MediaKind, file: CustomerFile): MediaObject {
  const sample = SAMPLES[kind];
  const bytes = file.bytes ? Buffer.from(file.bytes) : sample.bytes;
  const mimeType = file.mimeType ?? sample.mimeType;
  const rule = RULES[kind];
  if (rule.types && !rule.types.includes(mimeType)) {
    throw new CustomerInputError(`WhatsApp ${kind === 'voice' ? 'voice note' : kind}s are ${rule.label}`);
  }
  if (bytes.length === 0 || bytes.length > rule.maxBytes)
    throw new CustomerInputError(`the ${kind} is empty or too large`);
  const media: MediaObject = {
    id: createNumericId(16),
    phoneNumberId: phone.id,
    mimeType,
    bytes,
    sha256Hex: createHash('sha256').update(bytes).digest('hex'),
    filename: kind === 'document' ? (file.filename ?? sample.filename) : null,
    createdAt: state.clock.now(),
  };
  state.media.set(media.id, media);
  return media;
}
