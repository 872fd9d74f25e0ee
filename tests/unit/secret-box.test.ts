import { parseKeyRing } from '../../server/services/crypto/key-ring.ts';
import { createSecretBox, SecretBoxError } from '../../server/services/crypto/secret-box.ts';

const oldKey = `old:${'11'.repeat(32)}`;
const newKey = `new:${'22'.repeat(32)}`;

describe('secret box', () => {
  const box = createSecretBox(parseKeyRing(oldKey));

  it('round-trips text, including emoji, and never stores the plaintext', () => {
    const stored = box.encrypt('v1u:token-🔐-ünïcode', 'connections:access:42:7');
    expect(stored).toMatch(/^v1\.old\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain('token');
    expect(box.decrypt(stored, 'connections:access:42:7')).toBe('v1u:token-🔐-ünïcode');
  });

  it('uses a fresh IV every time', () => {
    expect(box.encrypt('same', 'aad')).not.toBe(box.encrypt('same', 'aad'));
  });

  it('refuses a ciphertext moved to another row (associated data differs)', () => {
    const stored = box.encrypt('secret', 'connections:access:42:7');
    expect(() => box.decrypt(stored, 'connections:access:43:7')).toThrow(SecretBoxError);
  });

  it('refuses tampered ciphertexts and foreign formats', () => {
    const stored = box.encrypt('secret', 'aad');
    const parts = stored.split('.');
    const data = Buffer.from(parts[4] ?? '', 'base64url');
    data[0] = (data[0] ?? 0) ^ 1;
    parts[4] = data.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'aad')).toThrow(/does not authenticate/);
    expect(() => box.decrypt('plain-text-token', 'aad')).toThrow(/not a Parley ciphertext/);
  });

  it('rotates: a new key encrypts, old values still decrypt and are flagged for re-encryption', () => {
    const written = box.encrypt('secret', 'aad');
    const rotated = createSecretBox(parseKeyRing(`${newKey},${oldKey}`));
    expect(rotated.decrypt(written, 'aad')).toBe('secret');
    expect(rotated.needsRotation(written)).toBe(true);
    const rewritten = rotated.encrypt('secret', 'aad');
    expect(rewritten.split('.')[1]).toBe('new');
    expect(rotated.needsRotation(rewritten)).toBe(false);
    expect(() => box.decrypt(rewritten, 'aad')).toThrow(/no key "new"/);
  });
});
