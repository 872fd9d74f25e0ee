import type { ContactIdentity } from '../../db/repositories/conversations.repository.ts';
import type { ChatEvent } from './chat-events.ts';
import { isObject, text } from './inbound-message.ts';
import type { WebhookItem } from './provider.ts';
import { e164FromWaId } from './wa-id.ts';

/** What the inbox processor's transactions collect before writing (inbox-processor.ts). */

type Json = Record<string, unknown>;

/** A message item of the inbox: who the chat is with, the message, and which way it went. */
export interface IncomingMessage {
  identity: ContactIdentity;
  message: Json;
  direction: 'inbound' | 'outbound';
}

/** The message an inbox item carries, if it is one; undefined for statuses and the rest. */
export function incomingMessageOf(item: WebhookItem): IncomingMessage | undefined {
  if (item.kind === 'message') {
    // What a customer (or a group member) sent.
    const { message } = item;
    const contact = item.contact ?? {};
    const groupId = text(message['group_id']);
    const waId = text(contact['wa_id']) ?? text(message['from']);
    const userId = text(message['from_user_id']) ?? text(contact['user_id']) ?? text(message['user_id']);
    const profile = isObject(contact['profile']) ? text(contact['profile']['name']) : null;
    // In a group, the chat belongs to the group; the author is kept on the message (context.participant).
    const identity =
      groupId === null
        ? { waId, businessScopedId: userId, e164: e164FromWaId(waId), groupId: null, profileName: profile }
        : { waId: null, businessScopedId: null, e164: null, groupId, profileName: null };
    return { identity, message, direction: 'inbound' };
  }
  if (item.kind === 'echo') {
    // What the business typed in the WhatsApp Business app (coexistence echo): an outbound message
    // of the customer's chat, so the panel and the day's note show both sides.
    const { message } = item;
    const waId = text(message['to']);
    const identity = {
      waId,
      businessScopedId: text(message['to_user_id']),
      e164: e164FromWaId(waId),
      groupId: null,
      profileName: null,
    };
    return { identity, message, direction: 'outbound' };
  }
  return undefined;
}

/**
 * What a transaction of the inbox changed in chats, written at its end (`processRows`): each chat's
 * newest inbound and outbound time, and the chat events (one `sync.chat` per chat, the events in
 * the order they happened).
 */
export interface BatchChanges {
  touch(chatId: string, direction: 'inbound' | 'outbound', at: Date): void;
  touches(): { chatId: string; lastInboundAt: Date | null; lastOutboundAt: Date | null }[];
  events: ChatEvent[];
}

export function createBatchChanges(): BatchChanges {
  const clocks = new Map<string, { lastInboundAt: Date | null; lastOutboundAt: Date | null }>();
  const later = (current: Date | null, at: Date) => (current === null || at > current ? at : current);
  return {
    touch(chatId, direction, at) {
      const clock = clocks.get(chatId) ?? { lastInboundAt: null, lastOutboundAt: null };
      if (direction === 'inbound') clock.lastInboundAt = later(clock.lastInboundAt, at);
      else clock.lastOutboundAt = later(clock.lastOutboundAt, at);
      clocks.set(chatId, clock);
    },
    touches: () => [...clocks].map(([chatId, clock]) => ({ chatId, ...clock })),
    events: [],
  };
}
