import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SCRAM-SHA-256 (RFC 5802/7677, as PostgreSQL speaks it) for the embedded database's wire server:
 * the password never crosses the socket, and a client that does not know it cannot connect.
 * `pg` answers this exchange by itself when the connection string carries the password.
 */
export interface ScramVerifier {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const ITERATIONS = 4096;
const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

export function createScramVerifier(password: string): ScramVerifier {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, ITERATIONS, 32, 'sha256');
  return {
    salt,
    iterations: ITERATIONS,
    storedKey: createHash('sha256').update(hmac(salted, 'Client Key')).digest(),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/** One connection's exchange: client-first → server-first, client-final → server-final or refusal. */
export function startScramExchange(verifier: ScramVerifier) {
  let clientFirstBare = '';
  let serverFirst = '';
  let nonce = '';
  return {
    /** The client's first message (after the GS2 header `n,,`); undefined when malformed. */
    serverFirst(clientFirst: string): string | undefined {
      const match = /^n,[^,]*,(n=[^,]*,r=([!-+\--~]+)(?:,.*)?)$/.exec(clientFirst);
      if (match?.[1] === undefined || match[2] === undefined) return undefined;
      clientFirstBare = match[1];
      nonce = match[2] + randomBytes(18).toString('base64');
      serverFirst = `r=${nonce},s=${verifier.salt.toString('base64')},i=${verifier.iterations}`;
      return serverFirst;
    },
    /** The server's final message when the client proved the password; undefined otherwise. */
    serverFinal(clientFinal: string): string | undefined {
      const match = /^(c=[^,]*,r=([^,]*)(?:,[^,]*)*?),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
      if (match?.[1] === undefined || match[3] === undefined || match[2] !== nonce || nonce === '') return undefined;
      const authMessage = `${clientFirstBare},${serverFirst},${match[1]}`;
      const proof = Buffer.from(match[3], 'base64');
      const signature = hmac(verifier.storedKey, authMessage);
      if (proof.length !== signature.length) return undefined;
      const clientKey = Buffer.from(proof.map((byte, i) => byte ^ (signature[i] ?? 0)));
      const candidate = createHash('sha256').update(clientKey).digest();
      if (!timingSafeEqual(candidate, verifier.storedKey)) return undefined;
      return `v=${hmac(verifier.serverKey, authMessage).toString('base64')}`;
    },
  };
}
