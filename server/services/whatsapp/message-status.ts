import type { Tx } from '../../db/client.ts';
import {
  createConversationsRepository,
  type MessageRow,
  type MessageStatus,
} from '../../db/repositories/conversations.repository.ts';
import { errorOf } from './inbound-message.ts';

/** Cloud API status words → Parley's; `played` (a voice note listened to) counts as read. */
const STATUS_OF: Record<string, MessageStatus> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
  failed: 'failed',
};

export function statusOf(value: unknown): MessageStatus | undefined {
  return typeof value === 'string' ? STATUS_OF[value] : undefined;
}

/** Applies one status webhook item to a stored message; true when it moved the status. */
export async function applyStatusItem(tx: Tx, message: MessageRow, item: Record<string, unknown>): Promise<boolean> {
  const status = statusOf(item['status']);
  if (status === undefined) return false;
  const error =
    status === 'failed'
      ? (errorOf(Array.isArray(item['errors']) ? item['errors'][0] : null) ?? {
          code: 'unknown',
          title: 'WhatsApp reported the message as failed',
        })
      : null;
  return createConversationsRepository(tx).raiseStatus(tx, message.id, status, error);
}

/**
 * Applies statuses that arrived before their message's wamid was stored, oldest rank first, and
 * deletes them. The caller holds the wamid's lock. True when the message's status moved.
 */
export async function applyPendingStatuses(tx: Tx, message: MessageRow): Promise<boolean> {
  if (message.providerMessageId === null) return false;
  const pending = await createConversationsRepository(tx).takePendingStatuses(
    tx,
    message.channelId,
    message.providerMessageId,
  );
  let changed = false;
  for (const row of pending) changed = (await applyStatusItem(tx, message, row.payload)) || changed;
  return changed;
}
