import { timingSafeEqual } from 'node:crypto';
import type { PipedriveState, RegisteredApp } from '../state.ts';
import { oauthErrors } from './oauth-errors.ts';

/**
 * Client authentication at `/oauth/token` and `/oauth/revoke`: HTTP Basic
 * `base64(client_id:client_secret)` (what Pipedrive documents, RD:marketplace-oauth-authorization),
 * or `client_id` + `client_secret` in the form body, which RFC 6749 §2.3.1 allows and Pipedrive's
 * error text ("required parameters client_id or client_secret were not provided") suggests it reads.
 * Using both at once is refused, as the RFC says a client must use one method only.
 */
export function authenticateClient(
  state: PipedriveState,
  authorization: string | undefined,
  form: Record<string, string | undefined> = {},
): RegisteredApp {
  const basic = parseBasic(authorization);
  const inBody = form['client_id'] !== undefined || form['client_secret'] !== undefined;
  if (basic && inBody) throw oauthErrors.twoClientAuthMethods();
  const credentials =
    basic ??
    (form['client_id'] && form['client_secret']
      ? { clientId: form['client_id'], clientSecret: form['client_secret'] }
      : null);
  if (!credentials) throw oauthErrors.noClientCredentials();
  const app = state.apps.get(credentials.clientId);
  if (!app || !safeEqual(app.clientSecret, credentials.clientSecret)) throw oauthErrors.invalidClient();
  return app;
}

function parseBasic(header: string | undefined): { clientId: string; clientSecret: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return null;
  // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
  return {
    clientId: safeDecode(decoded.slice(0, colon)),
    clientSecret: safeDecode(decoded.slice(colon + 1)),
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function safeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}
