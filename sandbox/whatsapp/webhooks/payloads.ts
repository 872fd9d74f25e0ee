import type { WebhookContact } from '../chat/identity.ts';
import type { BusinessPhone } from '../records.ts';

/** One message or status on its way to the callback URL, before batching. */
export interface WebhookEvent {
  phone: BusinessPhone;
  /**
   * `template_status`: a `message_template_status_update` change whose value is `item`;
   * `message_echoes`: what the business sent from the WhatsApp Business app (`smb_message_echoes`).
   */
  kind: 'messages' | 'statuses' | 'template_status' | 'message_echoes';
  item: Record<string, unknown>;
  /** Inbound messages name their sender (contacts[]). */
  contact?: WebhookContact;
}

/** The body Meta POSTs (whatsapp-cloud-api.md §2.3–2.4). */
export interface WebhookNotification {
  object: 'whatsapp_business_account';
  entry: {
    id: string;
    changes: {
      value: Record<string, unknown>;
      field: 'messages' | 'message_template_status_update' | 'smb_message_echoes';
    }[];
  }[];
}

/**
 * Batches events the way Meta does: one entry per WABA, one change per business number and kind,
 * several messages or statuses in one change. Receivers must iterate every level.
 */
export function buildNotification(events: WebhookEvent[]): WebhookNotification {
  const entries = new Map<string, Map<string, WebhookEvent[]>>();
  for (const event of events) {
    const changes = entries.get(event.phone.wabaId) ?? new Map<string, WebhookEvent[]>();
    entries.set(event.phone.wabaId, changes);
    const key = `${event.phone.id}:${event.kind}`;
    changes.set(key, [...(changes.get(key) ?? []), event]);
  }
  return {
    object: 'whatsapp_business_account',
    entry: [...entries].map(([wabaId, changes]) => ({
      id: wabaId,
      changes: [...changes.values()].flatMap((group): WebhookNotification['entry'][number]['changes'] =>
        group[0]?.kind === 'template_status'
          ? group.map((event) => ({ value: event.item, field: 'message_template_status_update' }))
          : [
              {
                value: changeValue(group),
                field: group[0]?.kind === 'message_echoes' ? 'smb_message_echoes' : 'messages',
              },
            ],
      ),
    })),
  };
}

function changeValue(group: WebhookEvent[]): Record<string, unknown> {
  const first = group[0] as WebhookEvent;
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: first.phone.displayPhoneNumber, phone_number_id: first.phone.id },
  };
  if (first.kind === 'statuses' || first.kind === 'message_echoes') {
    value[first.kind] = group.map((event) => event.item);
    return value;
  }
  const contacts = new Map<string, WebhookEvent['contact']>();
  for (const event of group) if (event.contact) contacts.set(event.contact.user_id, event.contact);
  value['contacts'] = [...contacts.values()];
  value['messages'] = group.map((event) => event.item);
  return value;
}

const ERROR_CODES_URL = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

/** Errors a `failed` status carries (shape per the Node SDK's ErrorObject and captured payloads). */
export const STATUS_ERRORS = {
  reEngagement: {
    code: 131047,
    title: 'Re-engagement message',
    message: 'Re-engagement message',
    error_data: {
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    },
    href: ERROR_CODES_URL,
  },
  undeliverable: {
    code: 131026,
    title: 'Message undeliverable',
    message: 'Message undeliverable',
    error_data: { details: 'Message Undeliverable.' },
    href: ERROR_CODES_URL,
  },
} as const;

export type StatusError = (typeof STATUS_ERRORS)[keyof typeof STATUS_ERRORS];
