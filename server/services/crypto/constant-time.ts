import { timingSafeEqual } from 'node:crypto';

/** Compares two secrets in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual throws on different lengths; compare against itself to keep the time flat.
  if (left.length !== right.length) {
    timingSafeEqual(right, right);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Parses `Authorization: Basic …` into user and password; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator === -1) return undefined;
  return { user: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}

/** Whether the header carries exactly these Basic credentials (both parts compared in constant time). */
export function isBasicAuth(header: string | undefined, user: string, password: string): boolean {
  const credentials = parseBasicAuth(header);
  const userMatches = constantTimeEqual(credentials?.user ?? '', user);
  const passwordMatches = constantTimeEqual(credentials?.password ?? '', password);
  return credentials !== undefined && userMatches && passwordMatches;
}
