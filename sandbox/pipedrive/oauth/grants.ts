import { randomBytes } from 'node:crypto';
import type { TokenResponse } from 'pipedrive/v2';
import type { AccessToken, AuthorizationCode, Grant, PipedriveState, RegisteredApp } from '../state.ts';
import { companyApiDomain } from '../company-domains.ts';
import { oauthErrors } from './oauth-errors.ts';

/** `expires_in` of every access token (API:docs/api/v1/Oauth shows 3599). */
export const ACCESS_TOKEN_TTL_SECONDS = 3599;
/** Authorization codes are single use and invalid after 5 minutes (RD:marketplace-oauth-and-api-proxy-status-codes). */
export const AUTHORIZATION_CODE_TTL_MS = 5 * 60 * 1000;
/** A refresh token expires when unused for 60 days; each use resets the clock (OpenAPI spec of POST /oauth/token). */
export const REFRESH_TOKEN_IDLE_MS = 60 * 24 * 60 * 60 * 1000;

/**
 * Creates an authorization code as the consent page does on "Allow" (the UI owns that page; tests
 * and `emulator.authorizeApp` use this directly).
 */
export function createAuthorizationCode(
  state: PipedriveState,
  input: { clientId: string; userId: number; redirectUri?: string },
): AuthorizationCode {
  const app = requireApp(state, input.clientId);
  const user = state.users.get(input.userId);
  if (!user) throw new Error(`unknown user ${input.userId}`);
  const code: AuthorizationCode = {
    code: randomBytes(24).toString('hex'),
    clientId: app.clientId,
    companyId: user.companyId,
    userId: user.id,
    redirectUri: input.redirectUri ?? app.callbackUrl,
    expiresAt: new Date(state.clock.now().getTime() + AUTHORIZATION_CODE_TTL_MS),
    exchanged: false,
  };
  state.authorizationCodes.set(code.code, code);
  return code;
}

/** `grant_type=authorization_code`: single use, 5-minute expiry, redirect_uri must equal the callback URL. */
export function exchangeAuthorizationCode(
  state: PipedriveState,
  app: RegisteredApp,
  input: { code: string | undefined; redirectUri: string | undefined; baseUrl: string },
): TokenResponse {
  if (!input.code) throw oauthErrors.missingParameter('code');
  const code = state.authorizationCodes.get(input.code);
  if (!code || code.exchanged || code.clientId !== app.clientId) throw oauthErrors.codeInvalid();
  if (code.expiresAt.getTime() <= state.clock.now().getTime()) throw oauthErrors.codeExpired();
  if (!input.redirectUri || !isUrl(input.redirectUri)) throw oauthErrors.redirectUriMissing();
  if (input.redirectUri !== app.callbackUrl || input.redirectUri !== code.redirectUri) {
    throw oauthErrors.redirectUriMismatch();
  }
  code.exchanged = true;
  const grant = upsertGrant(state, app, code);
  return issueTokens(state, grant, input.baseUrl);
}

/** `grant_type=refresh_token` with rotation: every refresh returns a new refresh token; the old one stops working. */
export function refreshGrant(
  state: PipedriveState,
  app: RegisteredApp,
  input: { refreshToken: string | undefined; baseUrl: string },
): TokenResponse {
  if (!input.refreshToken) throw oauthErrors.missingParameter('refresh_token');
  const grant = findGrantByRefreshToken(state, input.refreshToken);
  if (!grant || grant.clientId !== app.clientId) throw oauthErrors.refreshTokenInvalid();
  const now = state.clock.now();
  if (now.getTime() - grant.refreshTokenLastUsedAt.getTime() > REFRESH_TOKEN_IDLE_MS) {
    throw oauthErrors.refreshTokenExpired();
  }
  grant.refreshToken = newRefreshToken(grant);
  grant.refreshTokenLastUsedAt = now;
  return issueTokens(state, grant, input.baseUrl);
}

/**
 * `POST /oauth/revoke` (RFC 7009): a refresh token revokes the whole grant (the app counts as
 * uninstalled for that user); an access token only itself. Unknown tokens, and tokens of another
 * client, change nothing (the caller still gets 200). A wrong hint falls back to the other type.
 */
export function revokeToken(state: PipedriveState, app: RegisteredApp, token: string, hint: string | undefined): void {
  const revokeAsRefresh = (): boolean => {
    const grant = findGrantByRefreshToken(state, token);
    if (!grant || grant.clientId !== app.clientId) return false;
    revokeGrant(state, grant);
    return true;
  };
  const revokeAsAccess = (): boolean => {
    const accessToken = state.accessTokens.get(token);
    const grant = accessToken ? state.grants.get(accessToken.grantId) : undefined;
    if (!accessToken || grant?.clientId !== app.clientId) return false;
    accessToken.revoked = true;
    return true;
  };
  if (hint === 'access_token') {
    if (!revokeAsAccess()) revokeAsRefresh();
  } else if (!revokeAsRefresh()) {
    revokeAsAccess();
  }
}

/**
 * Ends a grant the way an uninstall does: tokens stop working and the app's webhooks for that user
 * are removed (RD:webhooks-for-apps). Idempotent.
 */
export function revokeGrant(state: PipedriveState, grant: Grant): void {
  grant.revokedAt ??= state.clock.now();
  for (const accessToken of state.accessTokens.values()) {
    if (accessToken.grantId === grant.id) accessToken.revoked = true;
  }
  for (const [id, webhook] of state.webhooks) {
    if (
      webhook.clientId === grant.clientId &&
      webhook.companyId === grant.companyId &&
      webhook.userId === grant.userId
    ) {
      state.webhooks.delete(id);
    }
  }
}

export type AccessTokenCheck =
  | { status: 'valid'; accessToken: AccessToken; grant: Grant; app: RegisteredApp }
  | { status: 'expired' }
  | { status: 'invalid' };

/** What the API proxy sees for a bearer token. */
export function checkAccessToken(state: PipedriveState, token: string): AccessTokenCheck {
  const accessToken = state.accessTokens.get(token);
  const grant = accessToken ? state.grants.get(accessToken.grantId) : undefined;
  const app = grant ? state.apps.get(grant.clientId) : undefined;
  if (!accessToken || !grant || !app || accessToken.revoked || grant.revokedAt) return { status: 'invalid' };
  if (accessToken.expiresAt.getTime() <= state.clock.now().getTime()) return { status: 'expired' };
  return { status: 'valid', accessToken, grant, app };
}

/** The scope string Pipedrive returns: comma-separated and always including `base`. */
export function scopeString(scopes: string[]): string {
  return ['base', ...scopes.filter((scope) => scope !== 'base')].join(',');
}

function upsertGrant(state: PipedriveState, app: RegisteredApp, code: AuthorizationCode): Grant {
  const now = state.clock.now();
  const scopes = scopeString(app.scopes).split(',');
  // One grant per (app, company, user): re-authorizing renews it (and revives an uninstalled one).
  for (const grant of state.grants.values()) {
    if (grant.clientId === app.clientId && grant.companyId === code.companyId && grant.userId === code.userId) {
      grant.scopes = scopes;
      grant.refreshToken = newRefreshToken(grant);
      grant.refreshTokenLastUsedAt = now;
      grant.revokedAt = null;
      return grant;
    }
  }
  const grant: Grant = {
    id: state.nextId('grant'),
    clientId: app.clientId,
    companyId: code.companyId,
    userId: code.userId,
    scopes,
    refreshToken: '',
    refreshTokenLastUsedAt: now,
    createdAt: now,
    revokedAt: null,
  };
  grant.refreshToken = newRefreshToken(grant);
  state.grants.set(grant.id, grant);
  return grant;
}

function issueTokens(state: PipedriveState, grant: Grant, baseUrl: string): TokenResponse {
  const company = state.companies.get(grant.companyId);
  if (company === undefined) throw new Error(`grant ${grant.id} of unknown company ${grant.companyId}`);
  // Opaque like the current API reference's `v1u:…` tokens; nothing in them is meant to be parsed.
  const token = `v1u:${randomBytes(48).toString('base64url')}`;
  state.accessTokens.set(token, {
    token,
    grantId: grant.id,
    expiresAt: new Date(state.clock.now().getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000),
    revoked: false,
  });
  return {
    access_token: token,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: grant.refreshToken,
    scope: scopeString(grant.scopes),
    // The company's own origin, as Pipedrive's `https://<company>.pipedrive.com` (company-domains.ts).
    api_domain: companyApiDomain(baseUrl, company),
  };
}

function newRefreshToken(grant: Grant): string {
  // Shaped like the docs' example (`1:1:2a54…`); still opaque to clients.
  return `${grant.companyId}:${grant.userId}:${randomBytes(20).toString('hex')}`;
}

function findGrantByRefreshToken(state: PipedriveState, refreshToken: string): Grant | undefined {
  for (const grant of state.grants.values()) {
    if (grant.refreshToken === refreshToken && !grant.revokedAt) return grant;
  }
  return undefined;
}

function requireApp(state: PipedriveState, clientId: string): RegisteredApp {
  const app = state.apps.get(clientId);
  if (!app) throw new Error(`unknown app ${clientId}`);
  return app;
}

function isUrl(value: string): boolean {
  return URL.canParse(value);
}
