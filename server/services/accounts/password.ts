import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt password hashes: `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url). The parameters
 * travel with the hash, so raising the cost later still verifies old hashes.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export const MIN_PASSWORD_LENGTH = 10;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, 64, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `logN` 15 (N = 32768, r = 8: 32 MiB, ~50 ms) for production; tests may pass less. */
export function createPasswordHasher(options: { logN?: number } = {}): PasswordHasher {
  const logN = options.logN ?? 15;
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, { N: 2 ** logN, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
      return ['scrypt', logN, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    },
    async verify(password, stored) {
      const [scheme, storedLogN, r, p, salt, hash] = stored.split('$');
      if (
        scheme !== 'scrypt' ||
        storedLogN === undefined ||
        r === undefined ||
        p === undefined ||
        salt === undefined ||
        hash === undefined
      )
        return false;
      const expected = Buffer.from(hash, 'base64url');
      const key = await derive(password, Buffer.from(salt, 'base64url'), {
        N: 2 ** Number(storedLogN),
        r: Number(r),
        p: Number(p),
        maxmem: 256 * 1024 * 1024,
      });
      return key.length === expected.length && timingSafeEqual(key, expected);
    },
  };
}

/** A hash of a random password: lets "wrong email" take as long as "wrong password". */
export async function createDecoyHash(hasher: PasswordHasher): Promise<string> {
  return hasher.hash(randomBytes(16).toString('hex'));
}
