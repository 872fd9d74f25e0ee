import { randomBytes, randomInt } from 'node:crypto';

/** Meta's object ids are numeric strings of 15–16 digits (app ids, WABA ids, phone-number ids, media ids). */
export function createNumericId(digits = 15): string {
  let id = String(randomInt(1, 10));
  while (id.length < digits) id += String(randomInt(0, 10));
  return id;
}

/** App secrets are 32 hex characters. */
export function createAppSecret(): string {
  return randomBytes(16).toString('hex');
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomBase62(length: number): string {
  let text = '';
  for (const byte of randomBytes(length)) text += BASE62[byte % BASE62.length];
  return text;
}

/** System-user access tokens start with "EAA" and are long opaque strings. */
export function createAccessToken(): string {
  return `EAA${randomBase62(160)}`;
}

/** fbtrace_id: an opaque string Meta support asks for. */
export function createFbtraceId(): string {
  return `A${randomBase62(22)}`;
}

/**
 * A wamid as Meta mints them: "wamid." + base64 of a small binary record holding the customer's wa_id
 * and a random hex id (decoding real ones shows that layout). Parley must treat it as opaque.
 */
export function createWamid(waId: string, direction: 'inbound' | 'outbound'): string {
  const digits = Buffer.from(waId.slice(0, 20), 'ascii');
  const hex = Buffer.from(
    randomBytes(direction === 'inbound' ? 10 : 9)
      .toString('hex')
      .toUpperCase(),
    'ascii',
  );
  const record = Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]),
    digits,
    Buffer.from([0x15, 0x02, 0x00, direction === 'inbound' ? 0x12 : 0x11, 0x18, hex.length]),
    hex,
    Buffer.from([0x00]),
  ]);
  return `wamid.${record.toString('base64')}`;
}

/** Ids for conversations and URL hashes. */
export function createHexId(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
