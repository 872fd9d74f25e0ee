import type { FastifyRequest } from 'fastify';
import type { AccessToken, Company, Grant, PipedriveState, RegisteredApp, User } from '../state.ts';
import { checkAccessToken } from '../oauth/grants.ts';
import { PipedriveApiError, unauthorized } from './envelope.ts';

/** Who is calling: everything comes from the bearer token, never from the request. */
export interface Caller {
  company: Company;
  user: User;
  app: RegisteredApp;
  grant: Grant;
  accessToken: AccessToken;
}

/**
 * Bearer authentication as Pipedrive's API proxy does it (messages from
 * RD:marketplace-oauth-and-api-proxy-status-codes, "API request" table, which come from
 * node-oauth2-server: a malformed header is 400, a bad or expired token 401). A missing header
 * gets the API's classic "unauthorized access".
 */
export function authenticateCaller(state: PipedriveState, request: FastifyRequest): Caller {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') throw unauthorized('unauthorized access');
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw new PipedriveApiError(400, 'Invalid request: malformed authorization header');
  const check = checkAccessToken(state, match[1]);
  if (check.status === 'expired') throw unauthorized('Invalid token: access token has expired');
  if (check.status === 'invalid') throw unauthorized('Invalid token: access token is invalid');
  const user = state.users.get(check.grant.userId);
  const company = state.companies.get(check.grant.companyId);
  if (!user || !company || !user.active) throw unauthorized('Invalid token: access token is invalid');
  return { company, user, app: check.app, grant: check.grant, accessToken: check.accessToken };
}

/** `:read` scopes are satisfied by the matching `:full` one. */
export function hasAnyScope(grant: Grant, accepted: readonly string[]): boolean {
  return accepted.some(
    (scope) =>
      grant.scopes.includes(scope) ||
      (scope.endsWith(':read') && grant.scopes.includes(scope.replace(/:read$/, ':full'))),
  );
}
