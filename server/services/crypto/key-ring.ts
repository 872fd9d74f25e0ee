import { randomBytes } from 'node:crypto';

/** An encryption key with the id stored beside every ciphertext it made, so keys can rotate. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** Ordered key ring: the first key encrypts, every key decrypts. Never empty once parsed. */
export type KeyRing = readonly EncryptionKey[];

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `ENCRYPTION_KEYS`: comma-separated `id:key` pairs, each key 32 bytes in base64, base64url
 * or hex. Throws with a message that never contains key material.
 */
export function parseKeyRing(text: string): KeyRing {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error('must list at least one key as id:base64key');
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const separator = entry.indexOf(':');
    const id = separator === -1 ? '' : entry.slice(0, separator);
    const material = separator === -1 ? '' : entry.slice(separator + 1);
    if (!KEY_ID.test(id)) {
      throw new Error(`entry ${index + 1} must be id:key with an id of letters, digits, _ or - (at most 32)`);
    }
    if (seen.has(id)) throw new Error(`key id "${id}" appears twice`);
    seen.add(id);
    const key = decodeKeyMaterial(material);
    if (key === undefined) throw new Error(`key "${id}" must be 32 bytes in base64 or 64 hex characters`);
    return { id, key };
  });
}

function decodeKeyMaterial(material: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(material)) return Buffer.from(material, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material)) return undefined;
  const key = Buffer.from(material, 'base64');
  return key.length === 32 ? key : undefined;
}

/** A fresh single-key ring in `ENCRYPTION_KEYS` syntax. */
export function generateKeyRingText(id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
