import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring.ts';

/**
 * AES-256-GCM for secrets at rest (OAuth tokens, provider credentials).
 *
 * Stored form: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id makes rotation a
 * matter of adding a key in front of the ring; the associated data binds a ciphertext to the row
 * and column it belongs to, so a value copied into another tenant's row fails to decrypt.
 */
export interface SecretBox {
  encrypt(plaintext: string, associatedData: string): string;
  decrypt(stored: string, associatedData: string): string;
  /** True when the value was written with a key other than the active one (re-encrypt it). */
  needsRotation(stored: string): boolean;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;

export function createSecretBox(keyRing: KeyRing): SecretBox {
  const active = keyRing[0];
  if (active === undefined) throw new SecretBoxError('the key ring is empty');
  const keysById = new Map(keyRing.map((entry) => [entry.id, entry.key]));

  return {
    encrypt(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', active.key, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, active.id, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join(
        '.',
      );
    },

    decrypt(stored, associatedData) {
      const parts = stored.split('.');
      const [version, keyId, iv, tag, data] = parts;
      if (
        parts.length !== 5 ||
        version !== VERSION ||
        keyId === undefined ||
        iv === undefined ||
        tag === undefined ||
        data === undefined
      ) {
        throw new SecretBoxError('not a Parley ciphertext');
      }
      const key = keysById.get(keyId);
      if (key === undefined) throw new SecretBoxError(`no key "${keyId}" in ENCRYPTION_KEYS to decrypt this value`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('the ciphertext does not authenticate (wrong key or wrong row)');
      }
    },

    needsRotation(stored) {
      return stored.split('.')[1] !== active.id;
    },
  };
}
