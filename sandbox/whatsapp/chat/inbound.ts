import { createWamid } from '../ids.ts';
import { toDigits } from '../phone-numbers.ts';
import type { ChatMessage, Customer } from '../records.ts';
import { chatKey, findCustomerByNumber, type WhatsAppState } from '../state.ts';
import type { ChatDeps } from './chat-deps.ts';
import { CustomerInputError, findInChat, type CustomerFile, type CustomerMessageInput } from './customer-input.ts';
import { describeContent, MESSAGE_KINDS } from './inbound-content.ts';

export { CustomerInputError, findInChat, type CustomerFile, type CustomerMessageInput };
import { senderFields, webhookContact } from './identity.ts';

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
  const kinds = MESSAGE_KINDS.filter((kind) => input[kind] !== undefined);
  if (kinds.length !== 1) throw new CustomerInputError(`send exactly one of ${MESSAGE_KINDS.join(', ')}`);
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
  const target = input.buttonReply?.messageId ?? input.interactiveReply?.messageId ?? input.replyTo;
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
