import { createHash } from 'node:crypto';
import { createNumericId, createWamid } from '../ids.ts';
import { toDigits } from '../phone-numbers.ts';
import type { BusinessPhone, ChatMessage, Customer, MediaObject } from '../records.ts';
import { SAMPLE_DOCUMENT, SAMPLE_IMAGE } from '../sample-media.ts';
import { chatKey, findCustomerByNumber, type WhatsAppState } from '../state.ts';
import type { ChatDeps } from './chat-deps.ts';
import { senderFields, webhookContact } from './identity.ts';

/** A file a customer sends; omitted bytes mean the sandbox's sample photo or PDF. */
export interface CustomerFile {
  bytes?: Uint8Array;
  mimeType?: string;
  filename?: string;
  caption?: string;
}

/** What a customer does on their phone. Exactly one of text, image, document, reaction, buttonReply. */
export interface CustomerMessageInput {
  /** The customer's number in any common format; a new number registers a new WhatsApp user. */
  from: string;
  /** Profile name (contacts[].profile.name); sets or changes it. */
  name?: string;
  /** Sets or drops the customer's username (contacts[].profile.username). */
  username?: string | null;
  /** Hides (or shows) the customer's phone from then on: webhooks omit `wa_id` and `from`. */
  phoneHidden?: boolean;
  /** phone-number-id of the business number written to; default: the first seeded number. */
  to?: string;
  text?: string;
  image?: CustomerFile | true;
  document?: CustomerFile | true;
  /** React to a message of the chat (an empty emoji removes the reaction). */
  reaction?: { messageId: string; emoji: string };
  /** Quote a message of the chat (context.id). */
  replyTo?: string;
  /** Tap a quick-reply button of a template message the business sent (index among its buttons). */
  buttonReply?: { messageId: string; index: number };
}

export class CustomerInputError extends Error {}

/** Who a customer is on WhatsApp: profile name, username, whether the phone is hidden (chat/identity.ts). */
export interface CustomerProfileInput {
  name?: string;
  /** A WhatsApp username (with or without the leading @), or null to drop it. */
  username?: string | null;
  /** Hide the phone from businesses: webhooks then carry only the business-scoped user id. */
  phoneHidden?: boolean;
}

/**
 * Finds or registers the customer behind a number (new customers are "on WhatsApp" from then on)
 * and applies the profile fields given.
 */
export function ensureCustomer(state: WhatsAppState, number: string, profile: CustomerProfileInput = {}): Customer {
  const digits = toDigits(number);
  if (!digits) throw new CustomerInputError(`"${number}" is not a phone number`);
  const customer: Customer = findCustomerByNumber(state, digits) ?? {
    waId: digits,
    name: `+${digits}`,
    username: null,
    phoneHidden: false,
    createdAt: state.clock.now(),
  };
  const name = profile.name?.trim();
  if (name) customer.name = name;
  if (profile.username !== undefined) customer.username = readUsername(profile.username);
  if (profile.phoneHidden !== undefined) customer.phoneHidden = profile.phoneHidden;
  state.customers.set(customer.waId, customer);
  return customer;
}

/** WhatsApp usernames: 3–35 letters, digits, dots and underscores (the sandbox's own rule). */
function readUsername(input: string | null): string | null {
  if (input === null || input.trim() === '') return null;
  const username = input.trim().replace(/^@/, '');
  if (!/^[A-Za-z0-9._]{3,35}$/.test(username)) {
    throw new CustomerInputError('a username has 3–35 letters, digits, dots or underscores');
  }
  return username;
}

/**
 * A customer writes to a business number: stores the message, opens the 24-hour window and
 * publishes the inbound webhook (whatsapp-cloud-api.md §2.3). Returns the wamid.
 */
export function receiveFromCustomer(deps: ChatDeps, input: CustomerMessageInput): ChatMessage {
  const { state } = deps;
  const phone = input.to ? state.phones.get(input.to) : state.phones.values().next().value;
  if (!phone) throw new CustomerInputError(`unknown business number ${input.to ?? ''}`);
  const kinds = (['text', 'image', 'document', 'reaction', 'buttonReply'] as const).filter(
    (k) => input[k] !== undefined,
  );
  if (kinds.length !== 1)
    throw new CustomerInputError('send exactly one of text, image, document, reaction, buttonReply');
  const customer = ensureCustomer(state, input.from, {
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.username === undefined ? {} : { username: input.username }),
    ...(input.phoneHidden === undefined ? {} : { phoneHidden: input.phoneHidden }),
  });
  const now = state.clock.now();
  const message: ChatMessage = {
    wamid: createWamid(customer.waId, 'inbound'),
    direction: 'inbound',
    phoneNumberId: phone.id,
    customerWaId: customer.waId,
    type: 'text',
    text: null,
    template: null,
    media: null,
    content: null,
    reaction: null,
    button: null,
    contextId: null,
    status: 'received',
    error: null,
    statusHistory: [{ status: 'received', at: now }],
    bizOpaqueCallbackData: null,
    createdAt: now,
  };
  const item: Record<string, unknown> = {};
  const target = input.buttonReply?.messageId ?? input.replyTo;
  if (target !== undefined) {
    const quoted = findInChat(state, phone, customer, target);
    message.contextId = quoted.wamid;
    const quotedCustomer = quoted.direction === 'inbound' && !customer.phoneHidden;
    item['context'] = {
      ...(quoted.direction === 'outbound' ? { from: phone.displayPhoneNumber } : {}),
      ...(quotedCustomer ? { from: quoted.customerWaId } : {}),
      id: quoted.wamid,
    };
  }
  Object.assign(item, {
    ...senderFields(state, customer, phone),
    id: message.wamid,
    timestamp: String(Math.floor(now.getTime() / 1000)),
  });
  Object.assign(item, describeContent(deps, phone, customer, input, message));

  state.messages.set(message.wamid, message);
  // Any customer message (re)opens the customer service window (§1.5).
  state.lastInboundAt.set(chatKey(phone.id, customer.waId), now);
  deps.publish({ phone, kind: 'messages', item, contact: webhookContact(state, customer, phone) });
  return message;
}

/** Fills the message and returns the type-specific webhook fields. */
function describeContent(
  deps: ChatDeps,
  phone: BusinessPhone,
  customer: Customer,
  input: CustomerMessageInput,
  message: ChatMessage,
): Record<string, unknown> {
  if (input.text !== undefined) {
    if (input.text.trim() === '') throw new CustomerInputError('the message is empty');
    message.text = input.text;
    return { type: 'text', text: { body: input.text } };
  }
  if (input.reaction) {
    findInChat(deps.state, phone, customer, input.reaction.messageId);
    message.type = 'reaction';
    message.reaction = { ...input.reaction };
    // Removing a reaction sends the reaction object without `emoji`.
    const emoji = input.reaction.emoji === '' ? {} : { emoji: input.reaction.emoji };
    return { type: 'reaction', reaction: { message_id: input.reaction.messageId, ...emoji } };
  }
  if (input.buttonReply) return describeButton(deps.state, input.buttonReply, message);
  const kind = input.image ? 'image' : 'document';
  const file = (input.image ?? input.document) as CustomerFile | true;
  const media = storeMedia(deps.state, phone, kind, file === true ? {} : file);
  const caption = file === true ? undefined : file.caption;
  message.type = kind;
  message.text = caption ?? null;
  message.media = {
    id: media.id,
    mimeType: media.mimeType,
    ...(media.filename ? { filename: media.filename } : {}),
    ...(caption ? { caption } : {}),
  };
  const sha256 = createHash('sha256').update(media.bytes).digest('base64');
  return {
    type: kind,
    [kind]: {
      ...(caption ? { caption } : {}),
      ...(kind === 'document' ? { filename: media.filename } : {}),
      mime_type: media.mimeType,
      sha256,
      id: media.id,
    },
  };
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

function findInChat(state: WhatsAppState, phone: BusinessPhone, customer: Customer, wamid: string): ChatMessage {
  const message = state.messages.get(wamid);
  if (!message || message.phoneNumberId !== phone.id || message.customerWaId !== customer.waId) {
    throw new CustomerInputError(`message ${wamid} is not part of this chat`);
  }
  return message;
}

const IMAGE_TYPES = ['image/jpeg', 'image/png'];
const MAX_BYTES = { image: 5 * 1024 * 1024, document: 100 * 1024 * 1024 };

function storeMedia(
  state: WhatsAppState,
  phone: BusinessPhone,
  kind: 'image' | 'document',
  file: CustomerFile,
): MediaObject {
  const sample = kind === 'image' ? SAMPLE_IMAGE : SAMPLE_DOCUMENT;
  const bytes = file.bytes ? Buffer.from(file.bytes) : sample.bytes;
  const mimeType = file.mimeType ?? sample.mimeType;
  if (kind === 'image' && !IMAGE_TYPES.includes(mimeType)) {
    throw new CustomerInputError('WhatsApp images are JPEG or PNG');
  }
  if (bytes.length === 0 || bytes.length > MAX_BYTES[kind])
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
