import { randomBytes } from 'node:crypto';
import { encodeMetaJson } from '../../sandbox/whatsapp/meta-json.ts';
import type { SandboxBusinessNumber } from '../../sandbox/whatsapp/emulator.ts';
import { signLikeMeta } from '../../server/services/whatsapp/cloud-api/webhook-signature.ts';

/**
 * Cloud API notifications as Meta sends them (whatsapp-cloud-api.md §2.3–2.4): one entry per WABA,
 * one `messages` change per number, several `messages[]` or `statuses[]` in a change; JSON with
 * non-ASCII escaped, signed over those exact bytes with the app secret (X-Hub-Signature-256).
 */
export interface Customer {
  waId: string;
  name: string;
}

/** `count` customers with distinct numbers (+1 555 01xx xxxx range, never a seeded one). */
export function customers(count: number, prefix = '1555'): Customer[] {
  return Array.from({ length: count }, (_, index) => ({
    waId: `${prefix}${String(1_000_000 + index).padStart(7, '0')}`,
    name: `Bench Customer ${index + 1} 🌻`,
  }));
}

/** A wamid shaped like Meta's (`wamid.` + base64 of an opaque id), unique per call. */
export function newWamid(): string {
  return `wamid.${randomBytes(30).toString('base64')}`;
}

export interface InboundText {
  customer: Customer;
  wamid: string;
  text: string;
}

export interface StatusUpdate {
  wamid: string;
  status: 'sent' | 'delivered' | 'read';
  recipient: Customer;
}

const unixSeconds = () => String(Math.floor(Date.now() / 1000));

function envelope(number: SandboxBusinessNumber, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: number.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** One notification carrying these inbound text messages (Meta batches what arrives together). */
export function inboundNotification(number: SandboxBusinessNumber, messages: InboundText[]) {
  const contacts = new Map(messages.map(({ customer }) => [customer.waId, customer]));
  return envelope(number, {
    contacts: [...contacts.values()].map((customer) => ({ profile: { name: customer.name }, wa_id: customer.waId })),
    messages: messages.map(({ customer, wamid, text }) => ({
      from: customer.waId,
      id: wamid,
      timestamp: unixSeconds(),
      text: { body: text },
      type: 'text',
    })),
  });
}

/** One notification carrying status updates of business messages, with Meta's pricing fields. */
export function statusNotification(number: SandboxBusinessNumber, statuses: StatusUpdate[]) {
  return envelope(number, {
    statuses: statuses.map(({ wamid, status, recipient }) => ({
      id: wamid,
      status,
      timestamp: unixSeconds(),
      recipient_id: recipient.waId,
      conversation: { id: randomBytes(16).toString('hex'), origin: { type: 'service' } },
      pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
    })),
  });
}

/** The exact bytes and headers Meta would POST. */
export function signedDelivery(
  notification: unknown,
  appSecret: string,
): { body: string; headers: Record<string, string> } {
  const body = encodeMetaJson(notification);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'facebookexternalua',
      'x-hub-signature-256': signLikeMeta(body, appSecret),
    },
  };
}

/**
 * The ingest scenario's traffic mix, from what Meta's batching produces for a busy number: most
 * notifications carry one inbound message; some several (messages arriving within Meta's batching
 * window); a fifth are status batches (sent/delivered/read of outbound messages, up to 20).
 * Returns the delivery and how many inbox rows it must create.
 */
export function mixedDelivery(
  number: SandboxBusinessNumber,
  pool: Customer[],
  sequence: number,
): { body: string; headers: Record<string, string>; items: number } {
  const roll = sequence % 10;
  const pick = (offset: number) => pool[(sequence * 7 + offset) % pool.length] as Customer;
  let notification;
  let items: number;
  if (roll < 7) {
    items = 1;
    notification = inboundNotification(number, [
      { customer: pick(0), wamid: newWamid(), text: `Hello from the benchmark, message ${sequence} — ¿qué tal? 👋` },
    ]);
  } else if (roll === 7) {
    items = 2 + (sequence % 4);
    notification = inboundNotification(
      number,
      Array.from({ length: items }, (_, index) => ({
        customer: pick(index),
        wamid: newWamid(),
        text: `Batched message ${sequence}.${index}`,
      })),
    );
  } else {
    items = 1 + (sequence % 20);
    const kinds = ['sent', 'delivered', 'read'] as const;
    notification = statusNotification(
      number,
      Array.from({ length: items }, (_, index) => ({
        wamid: newWamid(),
        status: kinds[index % 3] as StatusUpdate['status'],
        recipient: pick(index),
      })),
    );
  }
  return { ...signedDelivery(notification, number.appSecret), items };
}
