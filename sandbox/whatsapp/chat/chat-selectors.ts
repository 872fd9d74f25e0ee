import { toDigits } from '../phone-numbers.ts';
import type { BusinessPhone, ChatMessage, Customer } from '../records.ts';
import { chatKey, chatMessages, findCustomerByNumber, type WhatsAppState } from '../state.ts';
import type { ChatDeps } from './chat-deps.ts';
import { playByCustomer, readByCustomer } from './outbound.ts';

/** Names a chat: the customer's number in any format, and the business number (default: the first). */
export interface ChatSelector {
  customer: string;
  phoneNumberId?: string;
}

export function resolveChat(state: WhatsAppState, chat: ChatSelector): { phone: BusinessPhone; customer: Customer } {
  const phone = chat.phoneNumberId ? state.phones.get(chat.phoneNumberId) : state.phones.values().next().value;
  if (!phone) throw new Error(`unknown business number ${chat.phoneNumberId ?? ''}`);
  const digits = toDigits(chat.customer);
  const customer = digits ? findCustomerByNumber(state, digits) : undefined;
  if (!customer) throw new Error(`no WhatsApp customer with number ${chat.customer}`);
  return { phone, customer };
}

export function chatOf(state: WhatsAppState, chat: ChatSelector): ChatMessage[] {
  const { phone, customer } = resolveChat(state, chat);
  return chatMessages(state, phone.id, customer.waId);
}

export function readChat(deps: ChatDeps, chat: ChatSelector): string[] {
  const { phone, customer } = resolveChat(deps.state, chat);
  return readByCustomer(deps, phone, customer.waId);
}

/** The customer plays a voice note the business sent (read, then played statuses). */
export function playVoiceNote(deps: ChatDeps, chat: ChatSelector & { messageId: string }): void {
  const { phone, customer } = resolveChat(deps.state, chat);
  const message = deps.state.messages.get(chat.messageId);
  if (!message || message.phoneNumberId !== phone.id || message.customerWaId !== customer.waId) {
    throw new Error(`message ${chat.messageId} is not part of this chat`);
  }
  if (!playByCustomer(deps, phone, message)) {
    throw new Error(`message ${chat.messageId} is not a delivered voice note from the business`);
  }
}

/** How long one "the chat is on screen" signal lasts; the phone page renews it while it polls. */
export const VIEWING_MS = 5_000;

export function setChatOpen(state: WhatsAppState, chat: ChatSelector & { open: boolean }, forMs?: number): void {
  const { phone, customer } = resolveChat(state, chat);
  const key = chatKey(phone.id, customer.waId);
  if (!chat.open) {
    state.viewingUntil.delete(key);
    return;
  }
  const until = forMs === undefined ? Number.MAX_SAFE_INTEGER / 2 : state.clock.now().getTime() + forMs;
  state.viewingUntil.set(key, new Date(until));
}
