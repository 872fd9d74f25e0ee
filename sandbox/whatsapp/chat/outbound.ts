import { graphErrors } from '../graph/graph-errors.ts';
import type { SendRequest } from '../graph/message-request.ts';
import { createHexId, createWamid } from '../ids.ts';
import type { BusinessPhone, ChatMessage, Customer, OutboundStatus } from '../records.ts';
import { chatKey, chatMessages, isWindowOpen } from '../state.ts';
import { STATUS_ERRORS, type StatusError } from '../webhooks/payloads.ts';
import type { ChatDeps } from './chat-deps.ts';
import { recipientFields } from './identity.ts';

const RANK: Record<OutboundStatus, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };

/**
 * Accepts a business message and plays the recipient's phone: sent → delivered (→ read when the
 * customer looks), or failed by status webhook when the number is not on WhatsApp (131026) or a
 * free-form message falls outside the 24-hour window (131047), as Meta does: the send itself succeeds.
 */
export function acceptOutbound(
  deps: ChatDeps,
  phone: BusinessPhone,
  request: Extract<SendRequest, { kind: 'message' }>,
  recipient: { customer: Customer | undefined; waId: string },
): ChatMessage {
  const { state } = deps;
  const { customer, waId } = recipient;
  if (request.reaction) {
    const target = state.messages.get(request.reaction.messageId);
    if (!target || target.phoneNumberId !== phone.id || target.customerWaId !== waId) {
      throw graphErrors.invalidMessageParameter("reaction['message_id'] is not a message of this chat");
    }
  }
  const now = state.clock.now();
  const template = request.template;
  const message: ChatMessage = {
    wamid: createWamid(waId, 'outbound'),
    direction: 'outbound',
    phoneNumberId: phone.id,
    customerWaId: waId,
    type: request.type,
    text: request.text,
    template: template && {
      name: template.template.name,
      language: template.template.language,
      category: template.template.category,
      header: template.header,
      footer: template.footer,
      buttons: template.buttons,
    },
    media: request.media,
    content: request.content,
    reaction: request.reaction,
    button: null,
    contextId: request.contextId,
    status: 'accepted',
    error: null,
    statusHistory: [{ status: 'accepted', at: now }],
    bizOpaqueCallbackData: request.bizOpaqueCallbackData,
    createdAt: now,
  };
  state.messages.set(message.wamid, message);

  const { sentMs, deliveredMs } = state.faults.statusDelays;
  if (request.dropSilently) return message;
  if (!customer) {
    deps.timers.schedule(() => fail(deps, phone, message, STATUS_ERRORS.undeliverable), sentMs);
  } else if (message.type !== 'template' && !isWindowOpen(state, phone.id, waId)) {
    deps.timers.schedule(() => fail(deps, phone, message, STATUS_ERRORS.reEngagement), sentMs);
  } else {
    deps.timers.schedule(() => emitStatus(deps, phone, message, 'sent'), sentMs);
    // A business's reaction gets only `sent`: Meta reports no delivered or read for reactions.
    if (message.type !== 'reaction') deps.timers.schedule(() => deliverToPhone(deps, phone, message), deliveredMs);
  }
  return message;
}

/** The customer's phone received it: read at once when the chat is open (then Meta sends only `read`). */
function deliverToPhone(deps: ChatDeps, phone: BusinessPhone, message: ChatMessage): void {
  if (message.status === 'failed') return;
  const viewing = deps.state.viewingUntil.get(chatKey(phone.id, message.customerWaId));
  const isViewing = viewing !== undefined && viewing.getTime() > deps.state.clock.now().getTime();
  emitStatus(deps, phone, message, isViewing ? 'read' : 'delivered');
}

/** The customer opened the chat: every delivered business message becomes read. Returns their wamids. */
export function readByCustomer(deps: ChatDeps, phone: BusinessPhone, waId: string): string[] {
  const read: string[] = [];
  for (const message of chatMessages(deps.state, phone.id, waId)) {
    if (message.direction === 'outbound' && message.status === 'delivered') {
      emitStatus(deps, phone, message, 'read');
      read.push(message.wamid);
    }
  }
  return read;
}

/**
 * The customer played a voice note the business sent: `read` first if it was only delivered, then
 * `played` (Meta's status for voice messages). Returns false for anything but a delivered audio.
 */
export function playByCustomer(deps: ChatDeps, phone: BusinessPhone, message: ChatMessage): boolean {
  if (message.direction !== 'outbound' || message.type !== 'audio') return false;
  if (!['delivered', 'read'].includes(message.status)) return false;
  if (message.status === 'delivered') emitStatus(deps, phone, message, 'read');
  emitStatus(deps, phone, message, 'played');
  return true;
}

/** The business marked a customer message read: it and every earlier one in the chat turn blue. */
export function markReadByBusiness(deps: ChatDeps, phone: BusinessPhone, messageId: string): void {
  const target = deps.state.messages.get(messageId);
  if (!target || target.direction !== 'inbound' || target.phoneNumberId !== phone.id) {
    throw graphErrors.invalidParameter(`message_id (${messageId}) is not a message received by this number`);
  }
  const now = deps.state.clock.now();
  // Messages are kept in arrival order, so everything up to the target is "earlier".
  for (const message of chatMessages(deps.state, phone.id, target.customerWaId)) {
    if (message.direction === 'inbound' && message.status !== 'read') {
      message.status = 'read';
      message.statusHistory.push({ status: 'read', at: now });
    }
    if (message === target) break;
  }
}

function fail(deps: ChatDeps, phone: BusinessPhone, message: ChatMessage, error: StatusError): void {
  message.error = { code: error.code, title: error.title };
  emitStatus(deps, phone, message, 'failed', [error]);
}

function emitStatus(
  deps: ChatDeps,
  phone: BusinessPhone,
  message: ChatMessage,
  status: Exclude<OutboundStatus, 'accepted'>,
  errors?: StatusError[],
): void {
  const { state } = deps;
  const current = message.status as OutboundStatus;
  if (current === 'failed' || RANK[status] <= RANK[current]) return;
  const now = state.clock.now();
  message.status = status;
  message.statusHistory.push({ status, at: now });
  const item: Record<string, unknown> = {
    id: message.wamid,
    status,
    timestamp: String(Math.floor(now.getTime() / 1000)),
    ...recipientFields(state, state.customers.get(message.customerWaId), message.customerWaId, phone),
    ...(status === 'sent' || status === 'delivered' ? billing(deps, message, status === 'sent') : {}),
    ...(message.bizOpaqueCallbackData ? { biz_opaque_callback_data: message.bizOpaqueCallbackData } : {}),
    ...(errors ? { errors } : {}),
  };
  if (status === 'sent' && state.faults.reorderStatuses) {
    state.heldSentStatuses.set(message.wamid, item);
    return;
  }
  deps.publish({ phone, kind: 'statuses', item });
  const held = state.heldSentStatuses.get(message.wamid);
  if (held) {
    state.heldSentStatuses.delete(message.wamid);
    deps.publish({ phone, kind: 'statuses', item: held });
  }
}

/**
 * conversation + pricing (§2.4). Meta bills per message since July 2025 (`pricing_model: "PMP"`,
 * `pricing.type`): free-form replies and utility templates inside an open customer service window
 * are free (`free_customer_service`, not billable); everything else is `regular` and billable.
 * The conversation object is kept as captured 2026 payloads still show it (unconfirmed for how long).
 */
function billing(deps: ChatDeps, message: ChatMessage, withExpiry: boolean): Record<string, unknown> {
  const category = message.template ? message.template.category.toLowerCase() : 'service';
  const key = `${chatKey(message.phoneNumberId, message.customerWaId)}:${category}`;
  const now = deps.state.clock.now();
  const windowOpen = isWindowOpen(deps.state, message.phoneNumberId, message.customerWaId);
  const free = windowOpen && (category === 'service' || category === 'utility');
  let conversation = deps.state.conversations.get(key);
  if (!conversation || conversation.expiresAt.getTime() <= now.getTime()) {
    conversation = { id: createHexId(16), expiresAt: new Date(now.getTime() + 24 * 60 * 60 * 1000) };
    deps.state.conversations.set(key, conversation);
  }
  return {
    conversation: {
      id: conversation.id,
      ...(withExpiry ? { expiration_timestamp: String(Math.floor(conversation.expiresAt.getTime() / 1000)) } : {}),
      origin: { type: category },
    },
    pricing: { billable: !free, pricing_model: 'PMP', category, type: free ? 'free_customer_service' : 'regular' },
  };
}

/**
 * The business types a message in the WhatsApp Business app on its phone (coexistence): the
 * customer gets it, and Meta tells the Cloud API app on the `smb_message_echoes` field (one
 * `message_echoes[]` item: from = the business number, to = the customer). Meta's reference shows
 * no status webhooks for app-sent messages, so none follow here (a documented guess).
 */
export function sendFromBusinessApp(
  deps: ChatDeps,
  chat: { phone: BusinessPhone; customer: Customer },
  text: string,
): ChatMessage {
  const { state } = deps;
  const { phone, customer } = chat;
  const now = state.clock.now();
  const message: ChatMessage = {
    wamid: createWamid(customer.waId, 'outbound'),
    direction: 'outbound',
    phoneNumberId: phone.id,
    customerWaId: customer.waId,
    type: 'text',
    text,
    template: null,
    media: null,
    content: null,
    reaction: null,
    button: null,
    contextId: null,
    status: 'delivered',
    error: null,
    statusHistory: [{ status: 'delivered', at: now }],
    bizOpaqueCallbackData: null,
    createdAt: now,
  };
  state.messages.set(message.wamid, message);
  deps.publish({
    phone,
    kind: 'message_echoes',
    item: {
      from: phone.displayPhoneNumber,
      to: customer.waId,
      id: message.wamid,
      timestamp: String(Math.floor(now.getTime() / 1000)),
      type: 'text',
      text: { body: text },
    },
  });
  return message;
}
