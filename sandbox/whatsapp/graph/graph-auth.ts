import type { FastifyRequest } from 'fastify';
import type { AccessGrant, BusinessPhone, MetaApp, Waba } from '../records.ts';
import type { WhatsAppState } from '../state.ts';
import { GraphError, graphErrors } from './graph-errors.ts';

/**
 * The grant behind a Graph request: `Authorization: Bearer <token>`, or `access_token` in the
 * query as Graph also accepts. Missing → 104, unknown → 190, expired → 190/463.
 */
export function authenticate(state: WhatsAppState, request: FastifyRequest): AccessGrant {
  const header = request.headers.authorization;
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = typeof query?.['access_token'] === 'string' ? query['access_token'] : undefined;
  let token = fromQuery;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw graphErrors.invalidToken();
    token = match[1];
  }
  if (!token) throw graphErrors.missingToken();
  const grant = state.grants.get(token);
  if (!grant) throw graphErrors.invalidToken();
  const now = state.clock.now();
  if (grant.expiresAt && grant.expiresAt.getTime() <= now.getTime())
    throw graphErrors.expiredToken(grant.expiresAt, now);
  return grant;
}

/** The WABA, if the token may act on it; otherwise Graph's "object does not exist" error. */
export function requireWaba(state: WhatsAppState, grant: AccessGrant, wabaId: string, method: string): Waba {
  const waba = state.wabas.get(wabaId);
  if (!waba || !grant.wabaIds.includes(waba.id)) throw graphErrors.unknownObject(wabaId, method);
  return waba;
}

/** The business number, if it belongs to a WABA the token may act on. */
export function requirePhone(
  state: WhatsAppState,
  grant: AccessGrant,
  phoneNumberId: string,
  method: string,
): BusinessPhone {
  const phone = state.phones.get(phoneNumberId);
  if (!phone || !grant.wabaIds.includes(phone.wabaId)) throw graphErrors.unknownObject(phoneNumberId, method);
  return phone;
}

/**
 * App endpoints (/{app-id}/subscriptions) take an app access token, `{app-id}|{app-secret}`, in the
 * Authorization header, the query or the body. A system-user token gets Meta's error 15.
 */
export function authenticateApp(state: WhatsAppState, request: FastifyRequest, appId: string): MetaApp {
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
    string,
    unknown
  >;
  const query = request.query as Record<string, unknown>;
  const header = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const token = [header, query['access_token'], body['access_token']].find((value) => typeof value === 'string');
  if (typeof token !== 'string') throw graphErrors.missingToken();
  if (state.grants.has(token)) {
    throw new GraphError(400, {
      message: '(#15) This method must be called with an app access_token.',
      type: 'OAuthException',
      code: 15,
    });
  }
  const app = state.apps.get(appId);
  if (!app || token !== `${app.id}|${app.secret}`) throw graphErrors.invalidToken();
  return app;
}
