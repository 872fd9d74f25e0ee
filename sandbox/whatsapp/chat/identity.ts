import { createHmac } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { BusinessPhone, Customer } from '../records.ts';
import type { WhatsAppState } from '../state.ts';

/**
 * Usernames and business-scoped user ids (BSUIDs), Meta's 2026 rollout (whatsapp-cloud-api.md
 * §1.2, §2.3): every customer has a BSUID per business (`CC.<digits>`, the two-letter country of
 * their number; stable for the business, different for another one); a customer may have a
 * username (`profile.username`) and may hide their phone, and then webhooks omit `wa_id`, `from`
 * and `recipient_id` and carry only the BSUID. The sandbox scopes BSUIDs per WABA (Meta scopes them
 * per business portfolio; each seeded WABA stands for one business).
 *
 * Field names: `contacts[].user_id`, `contacts[].profile.username`, `messages[].from_user_id`,
 * `statuses[].recipient_user_id` (third-party SDK types and integrator guides; Meta's own reference
 * was not read, so the names are unconfirmed).
 */
export const BSUID_PATTERN = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;

export function businessScopedUserId(state: WhatsAppState, customer: Customer, wabaId: string): string {
  const country = parsePhoneNumberFromString(`+${customer.waId}`)?.country ?? 'ZZ';
  const digest = createHmac('sha256', state.bsuidKey).update(`${wabaId}:${customer.waId}`).digest();
  // 19 decimal digits, like the published examples (e.g. US.13491208655302741918).
  const number = (digest.readBigUInt64BE(0) % 9_000_000_000_000_000_000n) + 1_000_000_000_000_000_000n;
  return `${country}.${number.toString()}`;
}

/** The customer behind a BSUID of this business, if any. */
export function findCustomerByUserId(state: WhatsAppState, userId: string, wabaId: string): Customer | undefined {
  return [...state.customers.values()].find((customer) => businessScopedUserId(state, customer, wabaId) === userId);
}

/** `contacts[]` of an inbound webhook. */
export function webhookContact(state: WhatsAppState, customer: Customer, phone: BusinessPhone): WebhookContact {
  return {
    profile: { name: customer.name, ...(customer.username ? { username: customer.username } : {}) },
    ...(customer.phoneHidden ? {} : { wa_id: customer.waId }),
    user_id: businessScopedUserId(state, customer, phone.wabaId),
  };
}

export interface WebhookContact {
  profile: { name: string; username?: string };
  wa_id?: string;
  user_id: string;
}

/** The sender fields of an inbound message: `from` only when the phone is visible. */
export function senderFields(state: WhatsAppState, customer: Customer, phone: BusinessPhone): Record<string, string> {
  return {
    ...(customer.phoneHidden ? {} : { from: customer.waId }),
    from_user_id: businessScopedUserId(state, customer, phone.wabaId),
  };
}

/** The recipient fields of a status: `recipient_id` only when the phone is visible. */
export function recipientFields(
  state: WhatsAppState,
  customer: Customer | undefined,
  waId: string,
  phone: BusinessPhone,
): Record<string, string> {
  if (!customer) return { recipient_id: waId };
  return {
    ...(customer.phoneHidden ? {} : { recipient_id: customer.waId }),
    recipient_user_id: businessScopedUserId(state, customer, phone.wabaId),
  };
}
