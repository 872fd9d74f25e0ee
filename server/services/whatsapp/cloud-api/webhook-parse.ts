import { createHash } from 'node:crypto';
import { MalformedWebhookError, type ParsedWebhookItem } from '../provider.ts';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const listOf = (value: unknown, where: string): unknown[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new MalformedWebhookError(`${where} must be an array`);
  return value;
};
const objectsOf = (value: unknown, where: string): Json[] =>
  listOf(value, where).map((item, index) => {
    if (!isObject(item)) throw new MalformedWebhookError(`${where}[${index}] must be an object`);
    return item;
  });
const stringOf = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);

/**
 * Splits a Cloud API notification into one item per message, status, error and other change
 * (whatsapp-cloud-api.md §2.3–2.4: Meta batches entries × changes × messages/statuses; coexistence
 * echoes of what the business typed in the WhatsApp Business app come on `smb_message_echoes`). Each item gets
 * a key that is the same on every redelivery: the wamid for a message, wamid + status for a status,
 * a digest of the content for the rest.
 */
export function parseCloudWebhook(body: unknown): ParsedWebhookItem[] {
  if (!isObject(body)) throw new MalformedWebhookError('the body must be a JSON object');
  if (body['object'] !== 'whatsapp_business_account')
    throw new MalformedWebhookError('"object" must be "whatsapp_business_account"');
  const items: ParsedWebhookItem[] = [];
  for (const [entryIndex, entry] of objectsOf(body['entry'], 'entry').entries()) {
    const wabaId = stringOf(entry['id']) ?? '';
    for (const [changeIndex, change] of objectsOf(entry['changes'], `entry[${entryIndex}].changes`).entries()) {
      const where = `entry[${entryIndex}].changes[${changeIndex}]`;
      const field = stringOf(change['field']);
      const value = change['value'];
      if (field === null || !isObject(value)) throw new MalformedWebhookError(`${where} needs "field" and "value"`);
      if (field === 'message_template_status_update') {
        items.push({
          dedupeKey: `template:${wabaId}:${digest(value)}`,
          item: { kind: 'template_status', wabaId, value },
        });
        continue;
      }
      const metadata = isObject(value['metadata']) ? value['metadata'] : {};
      const phoneNumberId = stringOf(metadata['phone_number_id']);
      if (field === 'smb_message_echoes') {
        if (phoneNumberId === null)
          throw new MalformedWebhookError(`${where}.value.metadata.phone_number_id is missing`);
        for (const [index, message] of objectsOf(value['message_echoes'], `${where}.value.message_echoes`).entries()) {
          const id = stringOf(message['id']);
          if (id === null || stringOf(message['to']) === null)
            throw new MalformedWebhookError(`${where}.value.message_echoes[${index}] needs "id" and "to"`);
          // The same key as an inbound message: a wamid is stored once, whichever way it came.
          items.push({ dedupeKey: `message:${id}`, item: { kind: 'echo', phoneNumberId, message } });
        }
        continue;
      }
      if (field !== 'messages') {
        items.push({
          dedupeKey: `change:${field}:${digest(value)}`,
          item: { kind: 'other', field, phoneNumberId, value },
        });
        continue;
      }
      if (phoneNumberId === null) throw new MalformedWebhookError(`${where}.value.metadata.phone_number_id is missing`);
      const contacts = objectsOf(value['contacts'], `${where}.value.contacts`);
      for (const [index, message] of objectsOf(value['messages'], `${where}.value.messages`).entries()) {
        const id = stringOf(message['id']);
        if (id === null) throw new MalformedWebhookError(`${where}.value.messages[${index}].id is missing`);
        items.push({
          dedupeKey: `message:${id}`,
          item: { kind: 'message', phoneNumberId, message, contact: senderOf(message, contacts) },
        });
      }
      for (const [index, status] of objectsOf(value['statuses'], `${where}.value.statuses`).entries()) {
        const id = stringOf(status['id']);
        const state = stringOf(status['status']);
        if (id === null || state === null)
          throw new MalformedWebhookError(`${where}.value.statuses[${index}] needs "id" and "status"`);
        items.push({ dedupeKey: `status:${id}:${state}`, item: { kind: 'status', phoneNumberId, status } });
      }
      for (const error of objectsOf(value['errors'], `${where}.value.errors`)) {
        items.push({
          dedupeKey: `error:${phoneNumberId}:${digest(error)}`,
          item: { kind: 'error', phoneNumberId, error },
        });
      }
    }
  }
  return items;
}

/** The `contacts[]` entry of a message's sender: by wa_id, else by business-scoped user id, else the only one. */
function senderOf(message: Json, contacts: Json[]): Json | null {
  const from = stringOf(message['from']);
  const userId = stringOf(message['from_user_id']) ?? stringOf(message['user_id']);
  return (
    contacts.find((contact) => from !== null && contact['wa_id'] === from) ??
    contacts.find((contact) => userId !== null && contact['user_id'] === userId) ??
    (contacts.length === 1 ? (contacts[0] ?? null) : null)
  );
}
