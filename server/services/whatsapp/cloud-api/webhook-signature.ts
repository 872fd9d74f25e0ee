import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { SignatureCheck } from '../provider.ts';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>`
 * (whatsapp-cloud-api.md §2.5). Computed over the exact bytes received: Meta escapes non-ASCII as
 * \uXXXX, so re-serialized JSON would never match. The compare is constant time on equal-length
 * buffers; a header of the wrong form is refused before any compare.
 */
export function verifyMetaSignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string | KeyObject,
): SignatureCheck {
  if (header === undefined || header.trim() === '') return 'missing';
  const match = SIGNATURE.exec(header.trim());
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  if (match?.[1] === undefined) {
    // Keep the time flat for malformed headers too.
    timingSafeEqual(expected, expected);
    return 'invalid';
  }
  const presented = Buffer.from(match[1], 'hex');
  if (presented.length !== expected.length) return 'invalid';
  return timingSafeEqual(presented, expected) ? 'ok' : 'invalid';
}

/** The header value Meta would send for these bytes (tests and the sandbox sign the same way). */
export function signLikeMeta(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
