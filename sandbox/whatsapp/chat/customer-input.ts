import type { BusinessPhone, ChatMessage, Customer } from '../records.ts';
import type { WhatsAppState } from '../state.ts';

/** A file a customer sends; omitted bytes mean the sandbox's sample photo or PDF. */
export interface CustomerFile {
  bytes?: Uint8Array;
  mimeType?: string;
  filename?: string;
  caption?: string;
}

/** What a customer does on their phone: exactly one kind of message (MESSAGE_KINDS). */
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
  /** An audio file (`voice: false`); omitted bytes: a sample MP3. */
  audio?: CustomerFile | true;
  /** A voice note (`audio.voice: true`, Ogg/Opus). */
  voice?: CustomerFile | true;
  video?: CustomerFile | true;
  /** A WebP sticker; `animated` marks an animated one. */
  sticker?: (CustomerFile & { animated?: boolean }) | true;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  /** Shared contact cards. */
  contacts?: { name: string; phone?: string; email?: string }[];
  /** Tap a reply button or a list row of an interactive message the business sent (by its id). */
  interactiveReply?: { messageId: string; id: string };
  /** Something WhatsApp cannot pass on (a poll, a view-once photo): type `unsupported` with errors. */
  unsupported?: true;
  /** React to a message of the chat (an empty emoji removes the reaction). */
  reaction?: { messageId: string; emoji: string };
  /** Quote a message of the chat (context.id). */
  replyTo?: string;
  /** Tap a quick-reply button of a template message the business sent (index among its buttons). */
  buttonReply?: { messageId: string; index: number };
}

/** A customer action the phone cannot perform (the page shows the message; tests expect the throw). */
export class CustomerInputError extends Error {}

export function findInChat(state: WhatsAppState, phone: BusinessPhone, customer: Customer, wamid: string): ChatMessage {
  const message = state.messages.get(wamid);
  if (!message || message.phoneNumberId !== phone.id || message.customerWaId !== customer.waId) {
    throw new CustomerInputError(`message ${wamid} is not part of this chat`);
  }
  return message;
}
