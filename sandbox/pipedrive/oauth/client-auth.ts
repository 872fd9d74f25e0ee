import { timingSafeEqual } from 'node:crypto';
import type { PipedriveState, RegisteredApp } from '../state.ts';
import { oauthErrors } from './oauth-errors.ts';

/**
 * Client authentication at `/oauth/token` and `/oauth/revoke`: HTTP Basic
 * `base64(client_id:client_secret)` only. Pipedrive documents the Basic header for every call
 * (RD:marketplace-oauth-authorization, API:docs/api/v1/Oauth); its error text ("required
 * parameters client_id or client_secret were not provided") hints that form fields might also be
 * read, but that is not documented, so the sandbox is strict and ignores credentials in the body.
 */
export function authenticateClient(state: PipedriveState, authorization: string | undefined): RegisteredApp {
  const credentials = parseBasic(authorization);
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
